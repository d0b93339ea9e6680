"""The one formatting module: German numbers, values, dates, gaps."""

import math
from datetime import date

import pytest

from integrationsregion import formatting as fmt

pytestmark = pytest.mark.unit


def test_german_number_format():
    assert fmt.number(1234.5, 1) == "1.234,5"
    assert fmt.number(1080.08, 2) == "1.080,08"
    assert fmt.number(-0.25, 2) == "-0,25"
    assert fmt.number(974551, 0) == "974.551"


@pytest.mark.parametrize("missing", [None, math.nan, float("inf")])
def test_gaps_read_keine_daten(missing):
    assert fmt.number(missing) == "keine Daten"
    assert fmt.value(missing, "percent", 1) == "keine Daten"


def test_values_carry_their_unit():
    assert fmt.value(12.34, "percent", 1) == "12,3 %"
    assert fmt.value(1485, "persons", 0) == "1.485 Personen"
    assert fmt.difference(-1.5, "percent", 1) == "1,5 Prozentpunkte"


def test_unknown_unit_is_an_error_not_a_percentage():
    with pytest.raises(ValueError, match="unbekannte Einheit"):
        fmt.value(1.0, "parsecs", 0)


def test_dates_and_stand():
    assert fmt.day("2019-02-28") == "28.02.2019"
    assert fmt.day("2019-11") == "11/2019"
    assert fmt.day(date(2024, 12, 31)) == "31.12.2024"
    assert fmt.stand("") == "nicht angegeben"
    assert fmt.stand(None) == "nicht angegeben"
    assert fmt.stand("2025-03-13") == "13.03.2025"
    assert fmt.parse_day("2025-03-13") == date(2025, 3, 13)
    assert fmt.parse_day("2025-02-30") is None
    assert fmt.parse_day("13.03.2025") is None


def test_year_ranges():
    assert fmt.year_range([2019, 2015, 2024]) == "2015–2024"
    assert fmt.year_range([2019]) == "2019"
    assert fmt.year_range([]) == ""
    assert fmt.years_list([2015, 2016, 2017, 2019, 2021, 2022]) == "2015–2017, 2019, 2021–2022"


@pytest.mark.parametrize(
    ("text", "expected"), [("1.354,83", 1354.83), ("1354,83", 1354.83), ("0,5", 0.5), ("12", 12.0)]
)
def test_german_number_input_is_read(text, expected):
    assert fmt.parse_number(text) == expected


@pytest.mark.parametrize("text", ["1354.83", "1,2,3", "abc", "", "1.2345,6"])
def test_anything_else_is_refused_in_german(text):
    with pytest.raises(ValueError, match="keine Zahl"):
        fmt.parse_number(text)


def test_a_zero_from_rounded_cells_never_reads_as_a_plain_zero():
    assert fmt.value(0.0, "persons", 0, "zero_from_rounding") == "gerundet 0"
    assert fmt.value(0.0, "persons", 0, "") == "0 Personen"
    assert fmt.value(None, "persons", 0, "zero_from_rounding") == "keine Daten"
