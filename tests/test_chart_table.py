"""A chart's table alternative lists what the chart draws: every bar, line point and map unit, in German
notation, gaps as "keine Daten"."""

from __future__ import annotations

import math

import plotly.graph_objects as go
import pytest

from integrationsregion.ui.chart_table import figure_rows

pytestmark = pytest.mark.unit


def test_ranking_bars_become_rows_with_german_numbers_and_gaps():
    fig = go.Figure(
        go.Bar(x=[24.9, math.nan, 1234.5], y=["Gelsenkirchen", "Bottrop", "Essen"], orientation="h"),
        layout={"xaxis": {"title": {"text": "Anteil in %"}}, "yaxis": {"title": {"text": "Gebiet"}}},
    )
    table = figure_rows(fig)
    assert list(table.columns) == ["Gebiet", "Anteil in %"]
    assert table.values.tolist() == [
        ["Gelsenkirchen", "24,9"],
        ["Bottrop", "keine Daten"],
        ["Essen", "1.234,5"],
    ]


def test_time_series_keep_their_names_and_map_labels_are_left_out():
    fig = go.Figure(
        [
            go.Scatter(x=[2019, 2020], y=[10.0, 11.25], name="Dortmund"),
            go.Scatter(x=[2019, 2020], y=[8.0, 8.5], name="NRW"),
            go.Scattergeo(lon=[7.4], lat=[51.5], text=["Dortmund"], mode="text"),
        ]
    )
    table = figure_rows(fig)
    assert table.values.tolist() == [
        ["Dortmund", "2019", "10"],
        ["Dortmund", "2020", "11,25"],
        ["NRW", "2019", "8"],
        ["NRW", "2020", "8,5"],
    ]


def test_map_units_are_named_by_their_hover_name():
    fig = go.Figure(
        go.Choropleth(
            locations=["05913"],
            z=[12.0],
            customdata=[["Dortmund", "12,0 %"]],
            colorbar={"title": {"text": "Quote (%)"}},
        )
    )
    table = figure_rows(fig)
    assert list(table.columns) == ["Gebiet", "Quote (%)"]
    assert table.values.tolist() == [["Dortmund", "12"]]


def test_map_units_are_named():
    fig = go.Figure(
        go.Choropleth(locations=["05913", "05513"], z=[12.0, 15.5], text=["Dortmund", "Gelsenkirchen"])
    )
    assert figure_rows(fig).values.tolist() == [["Dortmund", "12"], ["Gelsenkirchen", "15,5"]]
