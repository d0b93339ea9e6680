"""Charts show gaps as gaps, references as their own bars, breaks as breaks – with German numbers and sources."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from integrationsregion.breaks import load_breaks
from integrationsregion.figures import charts
from integrationsregion.formatting import value as format_value
from tests import fixtures

pytestmark = pytest.mark.unit

UNITS_WITH_REFS = ["RVR", "05", "DG"]


def _units(store):
    return [r.ags for r in store.regions.units()]


def _bars(fig: go.Figure) -> list:
    """The bars of the units (the references are a trace of their own)."""
    return [t for t in fig.data if t.type == "bar" and t.name != "Vergleichswerte"]


def _reference_bars(fig: go.Figure) -> list:
    return [t for t in fig.data if t.type == "bar" and t.name == "Vergleichswerte"]


def test_ranking_lists_units_without_data_as_text_not_as_bars(store):
    ind = store.catalogue["tolerated_persons"]
    cs = store.cross_section(ind.id, 2023)
    fig = charts.ranking(cs, store.references(ind.id, 2023), ind, breakdown="total", year=2023)
    (bars,) = _bars(fig)
    assert len(bars.x) == cs["value"].notna().sum() < 15
    texts = [t for t in fig.data if t.type == "scatter" and t.mode == "text"]
    assert len(texts) == 1 and all("keine Daten" in s for s in texts[0].text)
    assert len(bars.y) + len(texts[0].y) == 15
    assert 0 not in list(bars.x)


def test_ranking_shows_references_as_own_bars_with_german_values(store):
    ind = store.catalogue["unemployment_rate"]
    refs = store.references(ind.id, 2019, "foreign")
    fig = charts.ranking(
        store.cross_section(ind.id, 2019, "foreign"),
        refs,
        ind,
        breakdown="foreign",
        year=2019,
        highlight="05513",
    )
    assert not fig.layout.shapes  # no line crosses the value labels
    (ref_bars,) = _reference_bars(fig)
    nrw = refs.set_index("region").loc["05", "value"]
    labels = dict(zip(ref_bars.y, ref_bars.text, strict=True))
    assert labels["<i>NRW</i>"] == format_value(nrw, ind.unit, ind.decimals)
    order = list(fig.layout.yaxis.categoryarray)
    assert order.index("<i>NRW</i>") > max(order.index(y) for y in _bars(fig)[0].y)  # below the units
    (bars,) = _bars(fig)
    colours = dict(zip(bars.y, bars.marker.color, strict=True))
    assert colours["<b>Gelsenkirchen</b>"] == charts.BAR_SELECTED
    assert {c for y, c in colours.items() if "Gelsenkirchen" not in y} == {charts.BAR}


def test_ranking_of_counts_has_no_nrw_reference(store):
    ind = store.catalogue["rejected_protection_status_with_duldung"]
    fig = charts.ranking(
        store.cross_section(ind.id, 2024), store.references(ind.id, 2024), ind, breakdown="total", year=2024
    )
    assert not fig.layout.shapes and not _reference_bars(fig)


def test_hover_names_value_year_and_source(store):
    ind = store.catalogue["unemployment_rate"]
    cs = store.cross_section(ind.id, 2019, "foreign")
    fig = charts.ranking(cs, store.references(ind.id, 2019, "foreign"), ind, breakdown="foreign", year=2019)
    (bars,) = _bars(fig)
    row = cs.set_index("name").loc["Gelsenkirchen"]
    custom = next(c for c in bars.customdata if c[0] == "Gelsenkirchen")
    assert custom[1] == format_value(row["value"], ind.unit, ind.decimals)
    assert custom[2] == "Jahr: 2019"
    assert custom[3] == row["source_label"]
    assert "," in custom[1]  # German decimal comma


def test_time_series_inserts_missing_years_as_gaps(fixture_store):
    store = fixture_store
    ind = store.catalogue["unemployment_rate"]
    series = store.series(ind.id, _units(store) + UNITS_WITH_REFS, "total")
    fig = charts.time_series(series, ind, breakdown="total", highlight="05513", background=_units(store))
    ge = next(t for t in fig.data if t.name == "Gelsenkirchen")
    points = dict(zip(ge.x, ge.y, strict=True))
    assert ge.connectgaps is False
    assert points[float(fixtures.GAP_YEAR)] is None  # the gap year is drawn as a gap, not as 0
    for year in (fixtures.GAP_YEAR - 1, fixtures.GAP_YEAR + 1):
        assert points[float(year)] == store.value("05513", ind.id, year)["value"]


def test_time_series_breaks_the_line_at_a_series_break(store):
    ind = store.catalogue["population"]
    breaks = load_breaks()
    series = store.series(ind.id, _units(store), "total")
    fig = charts.time_series(series, ind, breakdown="total", breaks=breaks, background=_units(store))
    cut = next(b for b in breaks if b.indicator == "population" and b.between == (2022, 2023)).position
    for trace in fig.data:
        assert dict(zip(trace.x, trace.y, strict=True))[cut] is None
    assert any(s.x0 == cut for s in fig.layout.shapes)
    assert any("Zensus 2022" in (a.text or "") for a in fig.layout.annotations)


def test_breaks_file_names_known_indicators(store):
    for b in load_breaks():
        assert b.indicator in store.catalogue
        assert b.between[0] < b.between[1]


def test_nationality_comparison_shows_both_breakdowns_side_by_side(store):
    ind = store.catalogue["unemployment_rate"]
    fig = charts.nationality_comparison(
        store.cross_section(ind.id, 2019, "total"),
        store.cross_section(ind.id, 2019, "foreign"),
        ind,
        year=2019,
        total_refs=store.references(ind.id, 2019, "total"),
        foreign_refs=store.references(ind.id, 2019, "foreign"),
    )
    names = [t.name for t in _bars(fig)]
    assert names == ["insgesamt", "Ausländer/-innen"]
    assert fig.layout.barmode == "group"
    foreign = _bars(fig)[1]
    ge = next(c for c in foreign.customdata if c[0] == "Gelsenkirchen")
    value = store.value("05513", ind.id, 2019, "foreign")["value"]
    assert ge[2] == format_value(value, ind.unit, ind.decimals)


def test_nationality_comparison_marks_a_missing_breakdown_as_no_data(store):
    ind = store.catalogue["unemployment_rate"]
    fig = charts.nationality_comparison(
        store.cross_section(ind.id, 2017, "total"),
        store.cross_section(ind.id, 2017, "foreign"),
        ind,
        year=2017,
    )
    foreign = _bars(fig)[1]
    assert len(foreign.x) == 0  # no foreigners' rate 2017 at Kreis level: no bars, not zero bars
    gaps = [t for t in fig.data if t.type == "scatter"]
    assert gaps and all("keine Daten" in s for s in gaps[0].text)


@pytest.mark.parametrize(
    ("indicator", "breakdown", "year", "kind", "expected"),
    [
        ("unemployment_rate", "foreign", 2019, "", "arbeitslosenquote_auslaender_2019"),
        ("unemployment_rate", "total", None, "zeitreihe", "arbeitslosenquote_insgesamt_zeitreihe"),
        ("school_leavers_no_degree_share", "total", 2023, "karte", "ohne_hauptschulabschluss_2023_karte"),
    ],
)
def test_png_export_file_names_are_german(store, indicator, breakdown, year, kind, expected):
    name = charts.export_filename(store.catalogue[indicator], breakdown, year, kind)
    assert name == expected
    assert charts.plotly_config(name)["toImageButtonOptions"]["filename"] == expected


def test_time_series_marks_secondary_points_open(store):
    ind = store.catalogue["unemployment_rate"]
    series = store.series(ind.id, ["05513"], "foreign").copy()
    series.loc[series.index[0], "quality"] = "secondary"
    fig = charts.time_series(series, ind, breakdown="foreign")
    (line,) = [t for t in fig.data if t.type == "scatter"]
    symbols = [s for s, y in zip(line.marker.symbol, line.y, strict=True) if y is not None]
    assert symbols[0].endswith("-open") and not any(s.endswith("-open") for s in symbols[1:])
    assert any("Sekundärquelle" in (a.text or "") for a in fig.layout.annotations)


def test_titles_do_not_repeat_the_breakdown(store):
    ind = store.catalogue["foreign_share"]
    assert "Ausländer/-innen" not in charts.title_text(ind, "foreign", 2024).replace("<br>", " ")


def test_ranking_draws_no_zero_bar_for_a_rounded_zero(fixture_store):
    ind = fixture_store.catalogue["rejected_protection_status_with_duldung"]
    cs = fixture_store.cross_section(ind.id, 2023)
    fig = charts.ranking(cs, cs.iloc[0:0], ind, breakdown="total", year=2023)
    (bars,) = _bars(fig)
    assert "Hamm" not in bars.y and 0 not in list(bars.x)  # fixtures.ROUNDED_ZERO_UNIT
    (gaps,) = [t for t in fig.data if t.type == "scatter" and t.mode == "text"]
    assert list(gaps.y) == ["Hamm"]
    assert gaps.text[0].strip().startswith("gerundet 0") and "nicht vergleichbar" in gaps.text[0]


def _nrw_series(months: dict[int, str]) -> pd.DataFrame:
    years = list(range(2015, 2021))
    return pd.DataFrame(
        {
            "region": "05",
            "name": "Nordrhein-Westfalen",
            "year": years,
            "ref_date": [f"{y}-{months.get(y, '12-31')}" for y in years],
            "value": [40_000.0 + 1_000 * n for n in range(len(years))],
            "quality": "official",
            "source_label": "Testquelle",
            "rounding": "",
        }
    )


def test_time_series_does_not_join_values_of_another_stichtag(fixture_store):
    ind = fixture_store.catalogue["tolerated_persons"]
    fig = charts.time_series(_nrw_series({2016: "02-29", 2019: "02-28"}), ind, breakdown="total")
    line = next(t for t in fig.data if t.mode == "lines+markers")
    drawn = dict(zip(line.x, line.y, strict=True))
    assert drawn[2016.0] is None and drawn[2019.0] is None  # the annual line does not run through them
    assert drawn[2015.0] == 40_000 and drawn[2017.0] == 42_000
    (apart,) = [t for t in fig.data if t.mode == "markers"]
    assert list(apart.x) == [2016.0, 2019.0]
    assert "Stichtag 29.02.2016" in apart.customdata[0][1]
    assert "anderer Stichtag" in apart.hovertemplate
    assert any("anderer Stichtag" in a.text for a in fig.layout.annotations)


def test_time_series_with_one_stichtag_is_one_line(fixture_store):
    fig = charts.time_series(_nrw_series({}), fixture_store.catalogue["tolerated_persons"], breakdown="total")
    assert [t.mode for t in fig.data] == ["lines+markers"]
    assert None not in fig.data[0].y


def test_time_series_leaves_a_gap_for_a_rounded_zero(fixture_store):
    series = _nrw_series({})
    series.loc[2, ["value", "rounding"]] = [0.0, "zero_from_rounding"]
    fig = charts.time_series(series, fixture_store.catalogue["tolerated_persons"], breakdown="total")
    drawn = dict(zip(fig.data[0].x, fig.data[0].y, strict=True))
    assert drawn[2017.0] is None and 0 not in [y for y in drawn.values() if y is not None]
    assert any("gerundet 0" in a.text for a in fig.layout.annotations)
