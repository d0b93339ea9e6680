"""Refresh the shipped boundaries (`data/geo/*.geojson`, `static/geo/`) from BKG's WFS `wfs_vg250`.

Fetches the NRW Kreise and Gemeinden (filter `sn_l = 05`, GeoJSON, EPSG:4326, paged with `startIndex`),
keeps the Ruhr units and `gf == 4`, then runs the same processing as `scripts/build_geo.py`
(`geometry.dissolve_by_ags` → `simplify_coverage` → `round_coordinates`) and replaces the layers only if
`geometry.validate_layer` finds nothing (atomic write via `geometry.write_layer`). Any failure leaves the
files as they are. Base URL overridable with `IR_BKG_WFS_URL` (tests point it at localhost).
"""

from __future__ import annotations

import sys
from pathlib import Path

import geopandas as gpd
import requests

from integrationsregion import geometry as geo
from integrationsregion.genesis.errors import BoundaryError
from integrationsregion.settings import get_settings

WFS_URL = "https://sgx.geodatenzentrum.de/wfs_vg250"
TYPENAMES = {"kreis": "vg250:vg250_krs", "gemeinde": "vg250:vg250_gem"}
TOLERANCE_M = {"kreis": 150.0, "gemeinde": 100.0}  # as scripts/build_geo.py
LAND_FILTER = (
    '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsEqualTo>'
    "<fes:ValueReference>sn_l</fes:ValueReference><fes:Literal>05</fes:Literal>"
    "</fes:PropertyIsEqualTo></fes:Filter>"
)
PAGE = 500


def fetch_features(
    level: str, *, session: requests.Session | None = None, timeout: float = 60.0
) -> list[dict]:
    """All NRW features of a level from the WFS (GeoJSON), following `numberMatched` with `startIndex`."""
    base = get_settings().bkg_wfs_url or WFS_URL
    http = session or requests.Session()
    features: list[dict] = []
    while True:
        params = {
            "service": "WFS",
            "version": "2.0.0",
            "request": "GetFeature",
            "TYPENAMES": TYPENAMES[level],
            "outputFormat": "application/json",
            "srsName": "EPSG:4326",
            "FILTER": LAND_FILTER,
            "sortBy": "objid",
            "startIndex": str(len(features)),
            "count": str(PAGE),
        }
        try:
            response = http.get(base, params=params, timeout=(10, timeout))
        except requests.exceptions.Timeout:
            raise BoundaryError(
                f"BKG-WFS: keine Antwort innerhalb von {timeout:.0f} s",
                f"BKG WFS: no answer within {timeout:.0f} s",
            ) from None
        except requests.exceptions.RequestException as exc:
            raise BoundaryError(
                f"BKG-WFS nicht erreichbar ({type(exc).__name__})",
                f"BKG WFS unreachable ({type(exc).__name__})",
            ) from None
        if response.status_code != 200:
            raise BoundaryError(
                f"BKG-WFS: HTTP {response.status_code}", f"BKG WFS: HTTP {response.status_code}"
            )
        try:
            body = response.json()
            page = body["features"]
        except (ValueError, KeyError, TypeError):
            raise BoundaryError(
                "BKG-WFS: Antwort ist kein GeoJSON", "BKG WFS: answer is not GeoJSON"
            ) from None
        features.extend(page)
        matched = body.get("numberMatched")
        if not page or not isinstance(matched, int) or len(features) >= matched:
            return features


def _prop(props: dict, name: str):
    for key, value in props.items():
        if key.lower() == name:
            return value
    return None


def to_layer(features: list[dict], level: str, expected: dict[str, str]) -> gpd.GeoDataFrame:
    """Ruhr features of the WFS answer as a processed layer (same steps as the shipped files)."""
    n = geo.AGS_LENGTH[level]
    keep = []
    for f in features:
        props = f.get("properties") or {}
        ags = str(_prop(props, "ags") or "")[:n]
        gf = _prop(props, "gf")
        if ags in expected and (gf is None or int(gf) == 4):
            keep.append({"type": "Feature", "properties": {"ags": ags}, "geometry": f.get("geometry")})
    if not keep:
        raise BoundaryError(f"BKG-WFS: keine Ruhr-Flächen ({level})", f"BKG WFS: no Ruhr features ({level})")
    raw = gpd.GeoDataFrame.from_features(keep, crs=geo.GEO_CRS)
    minx, miny, _, _ = raw.total_bounds
    if not (5 < minx < 9 and 50 < miny < 53):
        raise BoundaryError(
            "BKG-WFS: Koordinaten nicht lon/lat (Achsen vertauscht?)",
            "BKG WFS: coordinates not lon/lat (axes?)",
        )
    layer = geo.round_coordinates(geo.simplify_coverage(geo.dissolve_by_ags(raw), TOLERANCE_M[level]))
    layer["name"] = layer["ags"].map(expected)
    if level == "gemeinde":
        layer["kreis_ags"] = layer["ags"].str[:5]
    return layer


def run_boundaries(data_dir: Path, *, dry_run: bool = False) -> int:
    """Fetch, process, validate and (unless dry run) replace both layers; return the exit code."""
    layers = {}
    try:
        for level in geo.LEVELS:
            expected = geo.expected_units(level, data_dir)
            layer = to_layer(fetch_features(level), level, expected)
            problems = geo.validate_layer(layer, list(expected))
            if problems:
                raise BoundaryError(
                    f"BKG-Grenzen ({level}) ungültig: {problems[0]}",
                    f"BKG boundaries ({level}) invalid: {problems[0]}",
                )
            layers[level] = (layer, expected)
            print(
                f"BKG {level}: {len(layer)} Flächen/features, {geo.vertex_count(layer)} Stützpunkte/vertices"
            )
        if dry_run:
            print("Probelauf: Grenzen nicht geschrieben. / Dry run: boundaries not written.")
            return 0
        for level, (layer, expected) in layers.items():
            props = ["ags", "name"] + (["kreis_ags"] if level == "gemeinde" else [])
            targets = [data_dir / "geo" / geo.LAYER_FILES[level]]
            if data_dir.resolve() == geo.geo_dir().parent.resolve():
                targets.append(geo.layer_path(level, static=True))
            geo.write_layer(
                geo.to_feature_collection(layer, props),
                targets,
                list(expected),
                max_bytes=geo.SIZE_BUDGET[level],
            )
    except BoundaryError as exc:
        print(f"Fehler/error: {exc.message}", file=sys.stderr)
        return 1
    except (ValueError, OSError) as exc:
        print(
            f"Grenzen nicht ersetzt ({type(exc).__name__}: {str(exc)[:120]}), alte Dateien unverändert / "
            f"boundaries not replaced, old files unchanged",
            file=sys.stderr,
        )
        return 1
    print("Grenzen ersetzt (© GeoBasis-DE / BKG, Daten verändert). / Boundaries replaced.")
    return 0
