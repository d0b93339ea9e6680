"""The shipped boundary layers: complete, clean, small, and where the reference says the units are."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from integrationsregion import geometry
from tests.conftest import REPO_DIR

pytestmark = pytest.mark.snapshot

LEVELS = list(geometry.LEVELS)
REFERENCE_FILES = {"kreis": "ruhr_kreise.geojson", "gemeinde": "ruhr_gemeinden.geojson"}


@pytest.fixture(scope="module", params=LEVELS)
def level(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    return {lvl: geometry.load_layer_gdf(lvl) for lvl in LEVELS}


@pytest.fixture(scope="module")
def expected() -> dict[str, dict[str, str]]:
    return {lvl: geometry.expected_units(lvl) for lvl in LEVELS}


def _reference_dir() -> Path | None:
    for candidate in (REPO_DIR.parent / "shared" / "geo", Path("/work/shared/geo")):
        if all((candidate / f).is_file() for f in REFERENCE_FILES.values()):
            return candidate
    return None


# --------------------------------------------------------------------------------------------- layers


def test_registry_has_15_units_and_53_municipalities(expected):
    assert len(expected["kreis"]) == 15
    assert len(expected["gemeinde"]) == 53


def test_every_registry_unit_is_on_the_map_exactly_once(layers, expected, level):
    ags = list(layers[level]["ags"])
    assert sorted(ags) == sorted(expected[level])
    assert len(ags) == len(set(ags))


def test_names_are_those_of_the_registry(layers, expected, level):
    layer = layers[level]
    assert dict(zip(layer["ags"], layer["name"], strict=True)) == expected[level]


def test_municipalities_carry_their_kreis(layers):
    gem = layers["gemeinde"]
    assert (gem["kreis_ags"] == gem["ags"].str[:5]).all()
    assert set(gem["kreis_ags"]) == set(layers["kreis"]["ags"])


def test_layer_passes_validation(layers, expected, level):
    """Valid polygons, inside the Ruhr area, no overlaps between neighbours, no gaps in the union."""
    assert geometry.validate_layer(layers[level], expected[level]) == []


def test_neighbours_share_edges_exactly(layers, level):
    metric = layers[level].to_crs(geometry.METRIC_CRS).geometry.values
    assert shapely.coverage_is_valid(metric)


def test_union_is_one_polygon_without_holes(layers, level):
    union = shapely.union_all(layers[level].geometry.values)
    assert union.geom_type == "Polygon"
    assert len(union.interiors) == 0


def test_municipalities_dissolved_per_kreis_match_the_kreise(layers):
    """Both layers are simplified separately, so they may differ by a sliver, never by a district."""
    kreise = layers["kreis"].to_crs(geometry.METRIC_CRS).set_index("ags").geometry
    dissolved = (
        layers["gemeinde"].to_crs(geometry.METRIC_CRS).dissolve("kreis_ags").geometry.reindex(kreise.index)
    )
    for ags, kreis in kreise.items():
        difference = shapely.symmetric_difference(kreis, dissolved[ags]).area
        assert difference < 0.02 * kreis.area, ags
        assert shapely.hausdorff_distance(kreis.boundary, dissolved[ags].boundary) < 1_000, ags


def test_exterior_rings_are_clockwise(layers, level):
    """plotly.js (d3-geo) fills the whole frame for a counter-clockwise exterior ring."""
    for ags, geom in zip(layers[level]["ags"], layers[level].geometry, strict=True):
        for poly in shapely.get_parts(geom):
            assert not poly.exterior.is_ccw, ags
            assert all(ring.is_ccw for ring in poly.interiors), ags


def test_layer_files_stay_within_size_budget(level):
    for static in (False, True):
        assert geometry.layer_path(level, static=static).stat().st_size <= geometry.SIZE_BUDGET[level]


def test_static_copy_is_identical(level):
    data = geometry.layer_path(level).read_bytes()
    assert geometry.layer_path(level, static=True).read_bytes() == data


def test_coordinates_are_rounded(level):
    text = geometry.layer_path(level).read_text(encoding="utf-8")
    coords = shapely.get_coordinates(geometry.load_layer_gdf(level).geometry.values).ravel()
    assert all(round(float(c), geometry.COORD_DECIMALS) == c for c in coords)
    assert "\n" not in text.rstrip("\n")  # compact, one line


def test_source_note_names_producer_licence_and_attribution():
    note = (geometry.geo_dir() / "SOURCE.md").read_text(encoding="utf-8")
    for needed in (
        "BKG",
        "VG250",
        "dl-de/by-2-0",
        "GeoNutzV",
        geometry.ATTRIBUTION,
        geometry.ATTRIBUTION_URL,
    ):
        assert needed in note


def test_static_url_is_relative_and_versioned(level):
    url = geometry.static_url(level)
    assert url.startswith(f"app/static/geo/{geometry.LAYER_FILES[level]}?v=")
    assert geometry.static_url(level, versioned=False) == f"app/static/geo/{geometry.LAYER_FILES[level]}"


def test_load_layer_returns_an_independent_copy(level):
    first = geometry.load_layer(level)
    first["features"].clear()
    assert len(geometry.load_layer(level)["features"]) in (15, 53)


def test_units_lie_where_the_reference_puts_them(layers, level):
    """Each unit's representative point lies in the reference (VG5000) polygon of the same AGS, and back."""
    ref_dir = _reference_dir()
    if ref_dir is None:
        reason = "reference boundaries ../shared/geo not present"
        print(f"skipped: {reason}")
        pytest.skip(reason)
    reference = (
        gpd.read_file(ref_dir / REFERENCE_FILES[level]).set_index("ags").to_crs(geometry.GEO_CRS).geometry
    )
    layer = layers[level].set_index("ags").geometry
    assert set(reference.index) == set(layer.index)
    for ags, geom in layer.items():
        assert reference[ags].contains(geom.representative_point()), ags
        assert reference[ags].contains(geom.centroid), ags
        assert geom.contains(reference[ags].representative_point()), ags


# --------------------------------------------------------------------------------------------- routines

# A tiny coverage near Essen in UTM 32: two squares sharing a wiggly edge, and a third to the east.
_X, _Y = 360_000.0, 5_700_000.0


def _wiggly_coverage() -> gpd.GeoDataFrame:
    edge = [(_X + 1000, _Y + i * 100 + (30 if i % 2 else 0)) for i in range(11)]
    edge = [(x + (20 if i % 2 else 0), y) for i, (x, y) in enumerate(edge)]
    left = shapely.Polygon([(_X, _Y), *edge, (_X, _Y + 1000)])
    right = shapely.Polygon([*edge, (_X + 2000, _Y + 1000), (_X + 2000, _Y)])
    east = shapely.box(_X + 2000, _Y, _X + 3000, _Y + 1000)
    return gpd.GeoDataFrame(
        {"ags": ["05113", "05112", "05117"]}, geometry=[left, right, east], crs=geometry.METRIC_CRS
    )


def test_simplify_coverage_removes_vertices_without_opening_gaps():
    cov = _wiggly_coverage().to_crs(geometry.GEO_CRS)
    simplified = geometry.simplify_coverage(cov, tolerance=100)
    assert simplified.crs == cov.crs
    assert geometry.vertex_count(simplified) < geometry.vertex_count(cov)
    assert geometry.validate_layer(simplified, ["05112", "05113", "05117"], overlap_tolerance_m2=0.01) == []
    assert shapely.coverage_is_valid(simplified.to_crs(geometry.METRIC_CRS).geometry.values)


def test_validate_layer_reports_what_is_wrong():
    cov = _wiggly_coverage()
    codes = ["05112", "05113", "05117"]
    assert geometry.validate_layer(cov, codes) == []

    assert any("missing" in p and "05119" in p for p in geometry.validate_layer(cov, [*codes, "05119"]))
    assert any("not in registry" in p for p in geometry.validate_layer(cov, codes[:2]))
    doubled = gpd.GeoDataFrame(
        {"ags": ["05112", "05112", "05117"]}, geometry=list(cov.geometry), crs=geometry.METRIC_CRS
    )
    assert any("more than once" in p for p in geometry.validate_layer(doubled, codes))

    shifted = cov.copy()
    shifted.loc[2, "geometry"] = shapely.affinity.translate(shifted.geometry[2], xoff=-200)
    assert any("overlap" in p for p in geometry.validate_layer(shifted, codes))

    gap = cov.copy()
    gap.loc[0, "geometry"] = gap.geometry[0].difference(shapely.box(_X + 400, _Y + 400, _X + 600, _Y + 600))
    assert any("gap" in p for p in geometry.validate_layer(gap, codes))

    bowtie = cov.copy()
    bowtie.loc[2, "geometry"] = shapely.Polygon([(_X, _Y), (_X + 10, _Y + 10), (_X + 10, _Y), (_X, _Y + 10)])
    assert any("invalid" in p for p in geometry.validate_layer(bowtie, codes))

    lonlat = cov.to_crs(geometry.GEO_CRS)
    swapped = lonlat.set_geometry(shapely.transform(lonlat.geometry.values, lambda c: c[:, ::-1]))
    assert any("outside the Ruhr" in p for p in geometry.validate_layer(swapped, codes))


def test_write_layer_refuses_a_broken_layer_and_keeps_the_old_file(tmp_path):
    cov = _wiggly_coverage()
    codes = ["05112", "05113", "05117"]
    target = tmp_path / "geo" / "layer.geojson"
    size = geometry.write_layer(geometry.to_feature_collection(cov, ["ags"]), [target], codes)
    assert size == target.stat().st_size
    good = target.read_bytes()

    with pytest.raises(ValueError, match="missing"):
        geometry.write_layer(geometry.to_feature_collection(cov.iloc[:2], ["ags"]), [target], codes)
    with pytest.raises(ValueError, match="budget"):
        geometry.write_layer(geometry.to_feature_collection(cov, ["ags"]), [target], codes, max_bytes=100)
    assert target.read_bytes() == good
    assert [p.name for p in target.parent.iterdir()] == ["layer.geojson"]  # no temp files left
    assert json.loads(good)["type"] == "FeatureCollection"
