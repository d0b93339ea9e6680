"""The cost estimate for Geduldete on the fixture snapshot: rules in force, hand-worked examples, formulas."""

from __future__ import annotations

import pytest

from integrationsregion import costmodel
from integrationsregion.costmodel import Inputs, UnsupportedYear
from integrationsregion.fluag_rules import RuleBook, load_rule_book
from integrationsregion.store import Store
from tests.conftest import DATA_DIR

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def book(fixture_dir) -> RuleBook:
    return load_rule_book(fixture_dir)


def _param(store, indicator: str, year: int) -> float:
    return float(store.value("05", indicator, year)["value"])


def test_rules_before_2021_pay_the_flat_rate_for_three_months(fixture_store, book):
    rules = costmodel.rules_for(2019, True, fixture_store, book)
    assert rules.regime == "window"
    assert rules.window_months == 3
    # the 2017 rate is still in force in 2019 (no newer row)
    assert rules.flat_rate.value == _param(fixture_store, "fluag_flat_rate_month", 2017)
    assert rules.flat_rate.year == 2017 and rules.flat_rate.source_label
    assert rules.one_off is None


@pytest.mark.parametrize(
    ("year", "kreisfrei", "indicator", "row_year"),
    [
        (2022, True, "fluag_flat_rate_month_kreisfrei", 2021),
        (2022, False, "fluag_flat_rate_month_kreisangehoerig", 2021),
        (2023, True, "fluag_flat_rate_month_kreisfrei", 2023),
        (2024, True, "fluag_flat_rate_month_kreisfrei", 2023),
    ],
)
def test_rules_from_2021_use_the_rate_in_force(fixture_store, book, year, kreisfrei, indicator, row_year):
    rules = costmodel.rules_for(year, kreisfrei, fixture_store, book)
    assert rules.regime == "one_off"
    assert rules.flat_rate.indicator == indicator
    assert rules.flat_rate.value == _param(fixture_store, indicator, row_year)
    assert rules.one_off.value == _param(fixture_store, "fluag_one_off_tolerated", 2021)


def test_the_statewide_compensation_is_never_carried_into_a_year_without_one(fixture_store, book):
    assert costmodel.rules_for(2022, True, fixture_store, book).compensation.year == 2022
    later = costmodel.rules_for(2023, True, fixture_store, book)
    assert later.compensation is None
    result = costmodel.estimate(later, Inputs(persons=10, cost_month=100, compensation_share=0.5))
    assert any("kein landesweiter Ausgleichsbetrag" in n for n in result.notes)


@pytest.mark.parametrize("year", [2016, 2025])
def test_years_without_a_documented_rule_are_refused_in_german(fixture_store, book, year):
    with pytest.raises(UnsupportedYear, match="keine FlüAG-Regel"):
        costmodel.rules_for(year, True, fixture_store, book)


def test_a_missing_parameter_is_refused_in_german(fixture_store, book):
    obs = fixture_store.observations
    without = Store(
        obs[obs["indicator"] != "fluag_flat_rate_month"], fixture_store.regions, fixture_store.catalogue, {}
    )
    with pytest.raises(UnsupportedYear, match="fehlt der Parameter"):
        costmodel.rules_for(2019, True, without, book)


def test_estimate_before_2021_by_hand(fixture_store, book):
    rules = costmodel.rules_for(2019, True, fixture_store, book)
    inputs = Inputs(persons=1000, cost_month=866, share_benefit=0.8, share_long=1.0)
    result = costmodel.estimate(rules, inputs)
    # 1,000 persons × 0.8 receiving benefits × 1.0 beyond the window × 12 months × 866 €
    # = 800 × 12 × 866 = 9,600 × 866 = 8,313,600 €
    assert result.total == pytest.approx(8_313_600)
    (line,) = result.lines
    assert "1.000 Personen" in line.formula and "866 €" in line.formula and "8.313.600 €" in line.formula


def test_estimate_before_2021_counts_only_the_share_beyond_the_window(fixture_store, book):
    rules = costmodel.rules_for(2018, False, fixture_store, book)
    inputs = Inputs(persons=500, cost_month=1000, share_benefit=1.0, share_long=0.5)
    # 500 × 1.0 × 0.5 × 12 × 1,000 € = 250 × 12,000 € = 3,000,000 €
    assert costmodel.estimate(rules, inputs).total == pytest.approx(3_000_000)


def test_estimate_from_2021_by_hand(fixture_store, book):
    rules = costmodel.rules_for(2022, True, fixture_store, book)
    # fixture: 12,000 € per newly enforceable person, 175 Mio € statewide compensation in 2022
    assert (rules.one_off.value, rules.compensation.value) == (12_000, 175_000_000)
    inputs = Inputs(
        persons=500,
        cost_month=1125,
        share_benefit=1.0,
        share_long=0.6,
        one_off_persons=50,
        compensation_share=0.01,
    )
    result = costmodel.estimate(rules, inputs)
    # Bestandsgeduldete: 500 × 1.0 × 0.6 × 12 × 1,125 € = 300 × 13,500 € = 4,050,000 €
    # minus compensation: 1 % × 175,000,000 € = 1,750,000 €
    # other Geduldete:   500 × 1.0 × 0.4 × 12 × 1,125 € = 200 × 13,500 € = 2,700,000 €
    # minus one-off:     50 × 12,000 € = 600,000 €
    # total = 4,050,000 − 1,750,000 + 2,700,000 − 600,000 = 4,400,000 €
    assert [line.value for line in result.lines] == pytest.approx(
        [4_050_000, -1_750_000, 2_700_000, -600_000]
    )
    assert result.total == pytest.approx(4_400_000)
    assert "1,00 %" in result.lines[1].formula and "175.000.000 €" in result.lines[1].formula


def test_default_assumptions_deduct_nothing_and_say_so(fixture_store, book):
    rules = costmodel.rules_for(2022, False, fixture_store, book)
    result = costmodel.estimate(rules, Inputs(persons=100, cost_month=1000))
    # 100 × 1.0 × 1.0 × 12 × 1,000 € = 1,200,000 €; no one-off, no compensation share entered
    assert result.total == pytest.approx(1_200_000)
    assert [line.formula.endswith("= 0 €") for line in result.lines] == [False, True, True, True]
    assert result.upper_bound and result.bound_text.startswith("Obergrenze")
    deducted = costmodel.estimate(rules, Inputs(persons=100, cost_month=1000, one_off_persons=5))
    assert not deducted.upper_bound and "Obergrenze" not in deducted.bound_text


def test_rules_keep_statements_and_press_apart_from_the_legal_basis(fixture_store, book):
    rules = costmodel.rules_for(2019, True, fixture_store, book)
    assert [u for _, u in rules.sources] == ["https://example.org/testdaten/gesetz2017"]
    assert [u for _, u in rules.secondary_sources] == ["https://example.org/testdaten/presse2018"]
    assert costmodel.rules_for(2022, True, fixture_store, book).secondary_sources == ()


PARTY_AND_PRESS_HOSTS = ("gruene-fraktion-nrw.de", "epd.de", "spd-fraktion", "cdu", "fdp", "waz.de", "wdr.de")


def test_committed_legal_basis_names_only_official_sources():
    real = load_rule_book(DATA_DIR)
    for regime in real.regimes:
        legal = [s["url"] for s in regime["sources"]]
        assert legal and not [u for u in legal if any(h in u for h in PARTY_AND_PRESS_HOSTS)], regime["id"]
    secondary = [s["url"] for r in real.regimes for s in r.get("secondary_sources", [])]
    assert any("gruene-fraktion-nrw.de" in u for u in secondary)  # the party pages are kept, labelled apart


def test_invalid_inputs_are_refused(fixture_store, book):
    rules = costmodel.rules_for(2019, True, fixture_store, book)
    with pytest.raises(ValueError, match="share_benefit"):
        costmodel.estimate(rules, Inputs(persons=10, cost_month=100, share_benefit=1.5))
    assert Inputs(persons=-1, cost_month=100).problems()
    assert Inputs(persons=float("nan"), cost_month=100).problems()


def test_person_counts_put_the_official_statistic_first_and_keep_the_day(fixture_store):
    counts = costmodel.person_counts(fixture_store, "05513", 2023)
    assert [c.indicator for c in counts] == ["rejected_protection_status_with_duldung", "tolerated_persons"]
    assert not counts[0].secondary and counts[1].secondary
    assert counts[1].ref_date == "2023-12-31"
    assert costmodel.person_counts(fixture_store, "05513", 2019) == []


def test_cost_anchors_are_the_units_own_then_kreisfreie_then_nrw(fixture_store, book):
    essen = costmodel.cost_anchors(fixture_store, "05113", True, book)
    assert [(a.indicator, a.region) for a in essen] == [
        ("cost_per_person_year_actual", "05113"),
        ("cost_per_person_year_actual_kreisfrei", "05"),
        ("cost_per_person_year_actual", "05"),
    ]
    kreis = costmodel.cost_anchors(fixture_store, "05170", False, book)
    assert [a.region for a in kreis] == ["05"]


def test_cost_statements_are_quotes_with_source_and_bound(fixture_store):
    rows = costmodel.cost_statements(fixture_store, "05911")
    bochum = rows.iloc[0]
    assert bochum["region"] == "05911" and bochum["quality"] == "secondary"
    assert bochum["quote"] == "mindestens fünf Millionen Euro"
    assert bochum["bound"] == "Untergrenze"
    assert set(rows["region"]) == {"05911", "05"}
    assert rows.iloc[1]["bound"] == "Obergrenze"


def test_money_is_german_and_never_minus_zero():
    assert costmodel.eur(-0.2) == "0 €"
    assert costmodel.eur(-1_750_000) == "− 1.750.000 €"
    assert costmodel.eur_exact(1354.8333) == "1.354,83 €"
