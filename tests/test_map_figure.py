"""The choropleth map: what a reader sees for values, gaps, polarity and the selected unit."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.colors import hex_to_rgb, unlabel_rgb

from integrationsregion import geometry
from integrationsregion.figures.map import NO_DATA_LABEL, choropleth

pytestmark = pytest.mark.unit

SOURCE = "Regionaldatenbank 13211-02-05-4, Stand 17.08.2021"


def _values(level: str = "kreis", missing: int = 0) -> pd.DataFrame:
    """One value per unit of the layer, distinct and increasing; the first `missing` set to NaN."""
    layer = geometry.load_layer_gdf(level)
    values = pd.DataFrame(
        {
            "ags": layer["ags"],
            "name": layer["name"],
            "value": np.linspace(4.26, 1234.5, len(layer)),
            "year": 2019,
            "source": SOURCE,
        }
    )
    values.loc[values.index[:missing], "value"] = np.nan
    return values


def _map(values: pd.DataFrame, **kwargs) -> go.Figure:
    options = {"title": "Test", "unit_label": "%", "decimals": 1, "polarity": "higher_better"} | kwargs
    return choropleth(values, **options)


def _value_trace(fig: go.Figure) -> go.Choropleth:
    [trace] = [t for t in fig.data if t.type == "choropleth" and t.showscale is not False]
    return trace


def _no_data_trace(fig: go.Figure) -> go.Choropleth:
    [trace] = [t for t in fig.data if t.type == "choropleth" and t.name == NO_DATA_LABEL]
    return trace


def _hover(trace: go.Choropleth, ags: str) -> str:
    """The hover text plotly.js renders for one unit (template filled with the trace's customdata)."""
    row = trace.customdata[list(trace.locations).index(ags)]
    text = trace.hovertemplate.replace("<extra></extra>", "")
    for i, item in enumerate(row):
        text = text.replace(f"%{{customdata[{i}]}}", str(item))
    return text


def _rgb(color: str) -> tuple[float, ...]:
    return hex_to_rgb(color) if color.startswith("#") else unlabel_rgb(color)


def _lightness(color: str) -> float:
    r, g, b = _rgb(color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# --------------------------------------------------------------------------------------------- missing data


def test_missing_values_read_keine_daten_and_are_not_coloured_as_zero():
    values = _values(missing=2)
    gaps = list(values["ags"][:2])
    fig = _map(values)
    coloured = _value_trace(fig)
    assert not set(gaps) & set(coloured.locations)
    assert all(np.isfinite(coloured.z))
    assert min(coloured.z) == pytest.approx(values["value"].min())  # the scale starts at the data, not 0

    grey = _no_data_trace(fig)
    assert list(grey.locations) == gaps
    assert grey.showlegend is True
    for ags in gaps:
        hover = _hover(grey, ags)
        assert NO_DATA_LABEL in hover
        assert "0,0" not in hover


def test_units_absent_from_the_values_are_shown_as_keine_daten():
    values = _values().iloc[3:]
    fig = _map(values)
    absent = set(geometry.load_layer_gdf("kreis")["ags"][:3])
    assert set(_no_data_trace(fig).locations) == absent
    assert not absent & set(_value_trace(fig).locations)


def test_no_data_units_are_hatched():
    fig = _map(_values(missing=1))
    [hatch] = [t for t in fig.data if t.type == "scattergeo" and t.mode == "lines"]
    assert hatch.legendgroup == _no_data_trace(fig).legendgroup
    assert sum(lon is None for lon in hatch.lon) >= 5  # several separate strokes
    assert hatch.hoverinfo == "skip"


def test_without_any_value_the_map_shows_only_keine_daten():
    fig = _map(_values(missing=15))
    assert len(_no_data_trace(fig).locations) == 15
    assert not [t for t in fig.data if t.type == "choropleth" and t.showscale is not False]


def test_complete_data_has_no_keine_daten_entry():
    fig = _map(_values())
    assert not [t for t in fig.data if t.name == NO_DATA_LABEL]


# --------------------------------------------------------------------------------------------- hover and legend


def test_hover_shows_name_german_number_year_and_source():
    values = _values()
    fig = _map(values, decimals=1, unit_label="%")
    trace = _value_trace(fig)
    last = values.iloc[-1]
    hover = _hover(trace, last["ags"])
    assert last["name"] in hover
    assert "1.234,5 %" in hover
    assert "Jahr: 2019" in hover
    assert f"Quelle: {SOURCE}" in hover
    assert "4,3 %" in _hover(trace, values.iloc[0]["ags"])


def test_year_may_differ_per_unit():
    values = _values()
    values.loc[0, "year"] = 2017
    hover = _hover(_value_trace(_map(values)), values.loc[0, "ags"])
    assert "Jahr: 2017" in hover


def test_colour_bar_is_titled_in_the_unit_with_german_separators():
    fig = _map(_values(), unit_label="Personen", decimals=0)
    bar = _value_trace(fig).colorbar
    assert bar.title.text.startswith("Personen")
    assert bar.tickformat == ",.0f"
    assert fig.layout.separators == ",."


def test_map_names_the_boundary_source():
    texts = " ".join(a.text for a in _map(_values()).layout.annotations)
    assert "GeoBasis-DE / BKG" in texts
    assert geometry.ATTRIBUTION_URL in texts


# --------------------------------------------------------------------------------------------- colour


def _colour_at(trace: go.Choropleth, position: float) -> str:
    """Colour of the scale at 0 (lowest value) or 1 (highest)."""
    scale = trace.colorscale
    return scale[0][1] if position == 0 else scale[-1][1]


def test_polarity_sets_which_end_is_dark():
    """Darker always means less favourable: low values for higher_better, high values for lower_better."""
    up = _value_trace(_map(_values(), polarity="higher_better"))
    down = _value_trace(_map(_values(), polarity="lower_better"))
    assert _lightness(_colour_at(up, 0)) < _lightness(_colour_at(up, 1))
    assert _lightness(_colour_at(down, 1)) < _lightness(_colour_at(down, 0))
    assert _colour_at(up, 0) == _colour_at(down, 1)


def test_neutral_polarity_is_a_plain_sequential_scale():
    neutral = _value_trace(_map(_values(), polarity="neutral"))
    assert _lightness(_colour_at(neutral, 0)) > _lightness(_colour_at(neutral, 1))  # more = darker
    assert "günstiger" not in neutral.colorbar.title.text
    assert "günstiger" in _value_trace(_map(_values(), polarity="lower_better")).colorbar.title.text


def test_no_data_grey_is_not_a_colour_of_the_scale():
    fig = _map(_values(missing=1), polarity="neutral")
    grey = _no_data_trace(fig).colorscale[0][1]
    assert grey not in [c for _, c in _value_trace(fig).colorscale]


def test_unknown_polarity_is_refused():
    with pytest.raises(ValueError, match="polarity"):
        _map(_values(), polarity="better")


# --------------------------------------------------------------------------------------------- highlight


def test_highlight_outlines_the_selected_unit_on_top_without_blocking_hover():
    values = _values()
    selected = values.loc[5, "ags"]
    fig = _map(values, highlight=selected)
    base_width = _value_trace(fig).marker.line.width
    outlines = [t for t in fig.data if t.type == "choropleth" and list(t.locations) == [selected]]
    assert outlines
    assert max(t.marker.line.width for t in outlines) > 2 * base_width
    assert all(t.hoverinfo == "skip" for t in outlines)
    assert fig.data.index(outlines[0]) > fig.data.index(_value_trace(fig))


def test_highlight_must_be_a_unit_of_the_layer():
    with pytest.raises(ValueError, match="highlight"):
        _map(_values(), highlight="05711")


# --------------------------------------------------------------------------------------------- size and offline


@pytest.mark.parametrize("level", ["kreis", "gemeinde"])
def test_geojson_url_keeps_the_figure_small(level):
    values = _values(level, missing=2)
    url = geometry.static_url(level)
    by_url = _map(values, level=level, geojson_url=url, highlight=values.loc[5, "ags"])
    inline = _map(values, level=level, highlight=values.loc[5, "ags"])
    for trace in by_url.data:
        if trace.type == "choropleth":
            assert trace.geojson == url
    by_url_size, inline_size = len(by_url.to_json()), len(inline.to_json())
    assert by_url_size < 25_000
    assert by_url_size * 3 < inline_size
    assert '"coordinates"' not in by_url.to_json()


def test_inline_mode_embeds_each_boundary_once():
    values = _values(missing=2)
    fig = _map(values, highlight=values.loc[5, "ags"])
    embedded = [
        f["properties"]["ags"] for t in fig.data[:-2] if t.type == "choropleth" for f in t.geojson["features"]
    ]
    assert sorted(embedded) == sorted(values["ags"])


def test_map_needs_no_world_topojson():
    """plotly.js fetches a world map from a CDN if the first geo trace has a locationmode; offline that fails."""
    fig = _map(_values(missing=2), geojson_url=geometry.static_url("kreis"))
    first = json.loads(fig.to_json())["data"][0]
    assert first["type"] == "scattergeo"
    assert "locationmode" not in first and len(first["lon"]) == len(first["lat"]) > 0
    geo = fig.layout.geo
    assert geo.visible is False


def test_gemeinde_level_uses_8_digit_codes():
    fig = _map(_values("gemeinde", missing=1), level="gemeinde")
    assert all(len(a) == 8 for t in fig.data if t.type == "choropleth" for a in t.locations)


def test_values_with_unknown_codes_are_refused():
    values = pd.concat([_values(), pd.DataFrame([{"ags": "05711", "name": "Bielefeld", "value": 1.0}])])
    with pytest.raises(ValueError, match="05711"):
        _map(values)


def test_tiny_differences_get_neighbouring_colours():
    values = _values()
    values["value"] = np.linspace(43.0, 43.6, len(values))
    trace = _value_trace(_map(values))
    assert trace.zmax - trace.zmin >= 0.25 * 43.6  # 43,0 vs 43,6 are not drawn as opposite ends


def test_wide_spread_keeps_the_data_range():
    trace = _value_trace(_map(_values()))
    assert (trace.zmin, trace.zmax) == (pytest.approx(4.26), pytest.approx(1234.5))


def test_map_prints_place_names_and_titles_the_bar_with_name_and_unit():
    fig = _map(_values(), value_name="Arbeitslosenquote")
    names = next(t for t in fig.data if t.type == "scattergeo" and t.mode == "text")
    assert "Recklinghausen" in names.text and "Herne" in names.text
    assert _value_trace(fig).colorbar.title.text.startswith("Arbeitslosenquote (%)")


def test_secondary_values_are_marked_on_the_map():
    values = _values()
    values["quality"] = "official"
    values.loc[0, "quality"] = "secondary"
    fig = _map(values)
    assert "Sekundärquelle" in _hover(_value_trace(fig), values.loc[0, "ags"])
    assert any("Sekundärquelle" in (a.text or "") for a in fig.layout.annotations)


def test_a_rounded_zero_is_drawn_as_a_gap_and_says_gerundet_0():
    values = _values().assign(rounding="")
    values.loc[0, ["value", "rounding"]] = [0.0, "zero_from_rounding"]
    fig = _map(values)
    ags = values.loc[0, "ags"]
    assert ags not in set(_value_trace(fig).locations)
    hover = _hover(_no_data_trace(fig), ags)
    assert "gerundet 0" in hover and "0,0" not in hover
