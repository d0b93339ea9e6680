"""Boundaries of the 15 RVR units and 53 municipalities: load, simplify, validate, write.

The shipped layers (`data/geo/kreise.geojson`, `data/geo/gemeinden.geojson`, copies under `static/geo/`)
are built once by `scripts/build_geo.py` from BKG VG250; see `data/geo/SOURCE.md`. The same simplification
and validation routines serve any later refresh from an official source.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Literal

import geopandas as gpd
import shapely

from integrationsregion import atomic
from integrationsregion.settings import get_settings

Level = Literal["kreis", "gemeinde"]
LEVELS: tuple[Level, ...] = ("kreis", "gemeinde")

LAYER_FILES: dict[str, str] = {"kreis": "kreise.geojson", "gemeinde": "gemeinden.geojson"}
AGS_LENGTH: dict[str, int] = {"kreis": 5, "gemeinde": 8}
SIZE_BUDGET: dict[str, int] = {"kreis": 60_000, "gemeinde": 150_000}
"""Upper limit of a layer file in bytes: the browser fetches it once per session."""

GEO_CRS = "EPSG:4326"
METRIC_CRS = "EPSG:25832"  # ETRS89 / UTM 32N: metres, the CRS BKG distributes VG250 in
COORD_DECIMALS = 4  # 1e-4 degrees: about 11 m north-south, 7 m east-west in the Ruhr

RUHR_BOUNDS = (6.0, 51.0, 8.5, 52.0)
"""Generous lon/lat box around the RVR area: catches swapped axes or a wrong CRS."""

ATTRIBUTION = "© GeoBasis-DE / BKG (Daten verändert)"
ATTRIBUTION_URL = "https://www.bkg.bund.de"
ATTRIBUTION_HTML = f'© <a href="{ATTRIBUTION_URL}">GeoBasis-DE / BKG</a> (Daten verändert)'

STATIC_URL_PREFIX = "app/static/geo"
"""Streamlit serves `static/` at `app/static/` (relative, so a `server.baseUrlPath` keeps working)."""

STATIC_GEO_DIR = Path("static") / "geo"
"""Where Streamlit serves the layers from: `static/` beside `app.py`, the working directory of the app."""


def geo_dir(data_dir: Path | None = None) -> Path:
    """The snapshot's boundary folder (default: the configured snapshot directory)."""
    return (data_dir or get_settings().snapshot_dir) / "geo"


# --------------------------------------------------------------------------------------------- loading


def layer_path(level: Level, *, static: bool = False) -> Path:
    """The shipped GeoJSON file of a level (`static=True`: the copy Streamlit serves)."""
    _check_level(level)
    return (STATIC_GEO_DIR.absolute() if static else geo_dir()) / LAYER_FILES[level]


def load_layer(level: Level) -> dict:
    """The layer as a GeoJSON FeatureCollection (a fresh dict each call; parsing is cached)."""
    path = layer_path(level)
    stat = path.stat()
    return json.loads(_read_text(str(path), stat.st_mtime_ns, stat.st_size))


def load_layer_gdf(level: Level) -> gpd.GeoDataFrame:
    """The layer as a GeoDataFrame in EPSG:4326 with the feature properties as columns."""
    return gpd.GeoDataFrame.from_features(load_layer(level)["features"], crs=GEO_CRS)


def static_url(level: Level, *, versioned: bool = True) -> str:
    """Relative URL of the layer under Streamlit's static serving, for `geojson=` of a plotly figure.

    `versioned` appends a content hash (`?v=...`) so browsers refetch after the file changes.
    """
    url = f"{STATIC_URL_PREFIX}/{LAYER_FILES[level]}"
    if not versioned:
        return url
    path = layer_path(level, static=True)
    stat = path.stat()
    return f"{url}?v={_content_hash(str(path), stat.st_mtime_ns, stat.st_size)}"


@lru_cache(maxsize=8)
def _read_text(path: str, _mtime_ns: int, _size: int) -> str:
    return Path(path).read_text(encoding="utf-8")


@lru_cache(maxsize=8)
def _content_hash(path: str, _mtime_ns: int, _size: int) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:10]


def _check_level(level: str) -> None:
    if level not in LAYER_FILES:
        raise ValueError(f"unknown level {level!r}, expected one of {sorted(LAYER_FILES)}")


# --------------------------------------------------------------------------------------------- registry


def expected_units(level: Level, data_dir: Path | None = None) -> dict[str, str]:
    """AGS -> name of the units a layer must contain, in registry order.

    Reads `data/regions.csv`; before it exists, `../shared/reference/rvr_gebiete.csv` (same AGS).
    """
    _check_level(level)
    data_dir = data_dir or get_settings().snapshot_dir
    registry = data_dir / "regions.csv"
    if registry.is_file():
        rows = _read_csv(registry)
    else:
        fallback = Path.cwd().parent / "shared" / "reference" / "rvr_gebiete.csv"
        if not fallback.is_file():
            raise FileNotFoundError(f"neither {registry} nor {fallback} exists")
        rows = _read_csv(fallback)
    n = AGS_LENGTH[level]
    return {
        r["ags"]: r["name"]
        for r in rows
        if r.get("level") == level and len(r["ags"]) == n and r["ags"].isdigit()
    }


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --------------------------------------------------------------------------------------------- processing


def dissolve_by_ags(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One row per AGS; the parts of a unit (several features or a multipolygon) merged."""
    merged = gdf.groupby("ags", sort=False)["geometry"].agg(lambda parts: shapely.union_all(parts.values))
    return gpd.GeoDataFrame({"ags": merged.index}, geometry=list(merged.values), crs=gdf.crs)


def simplify_coverage(gdf: gpd.GeoDataFrame, tolerance: float) -> gpd.GeoDataFrame:
    """Simplify all polygons together so neighbours keep shared edges (no gaps, no slivers).

    `tolerance` is in metres: a geographic layer is simplified in EPSG:25832 and returned in its own CRS.
    The input must be a valid coverage (neighbouring edges with identical vertices), as VG250 is.
    """
    if gdf.crs is None:
        raise ValueError("layer has no CRS")
    metric = gdf.to_crs(METRIC_CRS) if gdf.crs.is_geographic else gdf
    simplified = shapely.coverage_simplify(metric.geometry.values, tolerance, simplify_boundary=True)
    out = gdf.copy()
    out["geometry"] = gpd.GeoSeries(simplified, index=gdf.index, crs=metric.crs).to_crs(gdf.crs).values
    return out


def round_coordinates(gdf: gpd.GeoDataFrame, decimals: int = COORD_DECIMALS) -> gpd.GeoDataFrame:
    """Snap coordinates to a 10^-decimals grid, keeping every polygon valid.

    Identical vertices of neighbours snap identically, so shared edges stay shared.
    """
    geoms = shapely.set_precision(gdf.geometry.values, 10.0**-decimals)
    geoms = shapely.make_valid(geoms)
    out = gdf.copy()
    out["geometry"] = [_polygonal(g) for g in geoms]
    return out


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Drop lines/points that make_valid can leave behind; keep (Multi)Polygons."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def vertex_count(gdf: gpd.GeoDataFrame) -> int:
    return int(shapely.get_num_coordinates(gdf.geometry.values).sum())


# --------------------------------------------------------------------------------------------- checks


def validate_layer(
    gdf: gpd.GeoDataFrame,
    expected_ags: Iterable[str],
    *,
    overlap_tolerance_m2: float = 100.0,
    gap_tolerance_m2: float = 100.0,
) -> list[str]:
    """Problems of a layer as readable sentences; an empty list means the layer is fit to ship.

    Checks: every expected AGS exactly once and nothing else, non-empty valid (Multi)Polygons, lon/lat
    inside the Ruhr area, no overlaps between units, and a union without holes (no gaps).
    """
    problems: list[str] = []
    expected = list(expected_ags)
    if "ags" not in gdf.columns:
        return ["column 'ags' missing"]
    if gdf.crs is None:
        return ["layer has no CRS"]
    ags = gdf["ags"].astype(str)
    duplicated = sorted(set(ags[ags.duplicated()]))
    if duplicated:
        problems.append(f"AGS more than once: {', '.join(duplicated)}")
    missing = sorted(set(expected) - set(ags))
    if missing:
        problems.append(f"AGS missing: {', '.join(missing)}")
    unexpected = sorted(set(ags) - set(expected))
    if unexpected:
        problems.append(f"AGS not in registry: {', '.join(unexpected)}")

    geoms = gdf.geometry.values
    usable = []
    for code, geom in zip(ags, geoms, strict=True):
        if geom is None or geom.is_empty:
            problems.append(f"{code}: empty geometry")
        elif geom.geom_type not in ("Polygon", "MultiPolygon"):
            problems.append(f"{code}: geometry type {geom.geom_type}")
        elif not geom.is_valid:
            problems.append(f"{code}: invalid geometry ({shapely.is_valid_reason(geom)})")
        else:
            usable.append((code, geom))
    if not usable:
        return [*problems, "no usable geometry"]

    codes = [c for c, _ in usable]
    geo = gpd.GeoSeries([g for _, g in usable], crs=gdf.crs)
    lonlat = geo.to_crs(GEO_CRS)
    minx, miny, maxx, maxy = lonlat.total_bounds
    bx0, by0, bx1, by1 = RUHR_BOUNDS
    if minx < bx0 or miny < by0 or maxx > bx1 or maxy > by1:
        problems.append(
            f"bounds {minx:.3f},{miny:.3f},{maxx:.3f},{maxy:.3f} outside the Ruhr area "
            "(swapped lon/lat or wrong CRS?)"
        )
        return problems

    metric = geo.to_crs(METRIC_CRS).values
    tree = shapely.STRtree(metric)
    left, right = tree.query(metric, predicate="intersects")
    for i, j in zip(left, right, strict=True):
        if i < j:
            area = shapely.intersection(metric[i], metric[j]).area
            if area > overlap_tolerance_m2:
                problems.append(f"{codes[i]} and {codes[j]} overlap by {area:,.0f} m²")

    union = shapely.union_all(metric)
    for poly in shapely.get_parts(union):
        for ring in poly.interiors:
            hole = shapely.Polygon(ring)
            if hole.area > gap_tolerance_m2:
                x, y = hole.representative_point().coords[0]
                problems.append(f"gap of {hole.area:,.0f} m² inside the region near {x:.0f},{y:.0f} (UTM 32)")
    return problems


# --------------------------------------------------------------------------------------------- writing


def to_feature_collection(
    gdf: gpd.GeoDataFrame, properties: list[str], decimals: int = COORD_DECIMALS
) -> dict:
    """GeoJSON FeatureCollection (lon/lat, exterior rings clockwise) with the given columns as properties."""
    lonlat = gdf.to_crs(GEO_CRS)
    features = []
    for row, geom in zip(lonlat[properties].to_dict("records"), lonlat.geometry.values, strict=True):
        # Exterior rings clockwise: plotly.js draws with d3-geo, which reads a counter-clockwise ring as
        # "the whole globe except this polygon" (the map then fills its frame). RFC 7946 recommends the
        # opposite order but requires parsers to accept both; geopandas and shapely do not care.
        geometry = shapely.geometry.mapping(shapely.orient_polygons(geom, exterior_cw=True))
        features.append(
            {
                "type": "Feature",
                "properties": row,
                "geometry": {
                    "type": geometry["type"],
                    "coordinates": _round(geometry["coordinates"], decimals),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _round(coords, decimals: int):
    if isinstance(coords[0], int | float):
        return [round(float(c), decimals) for c in coords]
    return [_round(c, decimals) for c in coords]


def dumps(collection: Mapping) -> str:
    """Compact, deterministic GeoJSON text (UTF-8, no spaces)."""
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_layer(
    collection: Mapping,
    targets: Iterable[Path],
    expected_ags: Iterable[str],
    *,
    max_bytes: int | None = None,
) -> int:
    """Write a FeatureCollection atomically to every target (temp file, re-read and check, os.replace).

    Raises ValueError (and leaves existing files untouched) when the written text fails the checks.
    Returns the size in bytes.
    """
    text = dumps(collection)
    data = text.encode("utf-8")
    if max_bytes is not None and len(data) > max_bytes:
        raise ValueError(f"layer has {len(data):,} bytes, budget {max_bytes:,}")
    expected = list(expected_ags)

    def check(tmp: Path) -> None:
        reread = json.loads(tmp.read_text(encoding="utf-8"))
        problems = validate_layer(gpd.GeoDataFrame.from_features(reread["features"], crs=GEO_CRS), expected)
        if problems:
            raise ValueError("; ".join(problems))

    for target in targets:
        atomic.replace(target, data, check)
    return len(data)


def write_text_atomic(path: Path, text: str) -> None:
    """Replace a small text file atomically."""
    atomic.replace(path, text.encode("utf-8"))
