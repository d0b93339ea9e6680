"""Boundary refresh from a local fake BKG WFS serving the shipped layers as WFS GeoJSON pages."""

from __future__ import annotations

import json
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from integrationsregion import bkg_boundaries as boundaries
from tests.conftest import DATA_DIR

from .conftest import fingerprint


class WFS(ThreadingHTTPServer):
    def __init__(self, layers: dict[str, list[dict]]):
        super().__init__(("127.0.0.1", 0), WFSHandler)
        self.layers = layers
        self.broken = False


class WFSHandler(BaseHTTPRequestHandler):
    server: WFS

    def log_message(self, *args):
        pass

    def do_GET(self):
        q = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
        level = "kreis" if q["TYPENAMES"].endswith("krs") else "gemeinde"
        feats = self.server.layers[level]
        start, count = int(q.get("startIndex", 0)), int(q.get("count", 500))
        page = feats[start : start + min(count, 20)]  # small pages: exercise paging
        if self.server.broken:
            page = [dict(f, geometry={"type": "Polygon", "coordinates": [[[7, 51], [7.01, 51], [7, 51.01], [7, 51]]]})
                    for f in page]  # fmt: skip
        body = json.dumps(
            {"type": "FeatureCollection", "numberMatched": len(feats), "features": page}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def wfs_features(level: str) -> list[dict]:
    """The shipped layer with WFS-style lower-case properties (ags, gen, gf)."""
    data = json.loads((DATA_DIR / "geo" / boundaries.geo.LAYER_FILES[level]).read_text())
    return [
        {"type": "Feature", "properties": {"ags": f["properties"]["ags"], "gen": f["properties"]["name"], "gf": 4},
         "geometry": f["geometry"]}
        for f in data["features"]
    ]  # fmt: skip


@pytest.fixture
def wfs(monkeypatch):
    if not (DATA_DIR / "geo" / "kreise.geojson").exists():
        pytest.skip("shipped layers not built yet")
    server = WFS({lvl: wfs_features(lvl) for lvl in ("kreis", "gemeinde")})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("IR_BKG_WFS_URL", f"http://127.0.0.1:{server.server_address[1]}/wfs_vg250")
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def geo_copy(tmp_path):
    dst = tmp_path / "data"
    (dst / "geo").mkdir(parents=True)
    for name in ("kreise.geojson", "gemeinden.geojson"):
        shutil.copy2(DATA_DIR / "geo" / name, dst / "geo" / name)
    shutil.copy2(DATA_DIR / "regions.csv", dst / "regions.csv")
    return dst


def test_boundaries_refresh_writes_valid_layers(wfs, geo_copy):
    assert boundaries.run_boundaries(geo_copy) == 0
    layer = json.loads((geo_copy / "geo" / "kreise.geojson").read_text())
    assert len(layer["features"]) == 15


def test_invalid_boundaries_are_not_written(wfs, geo_copy, capsys):
    wfs.broken = True
    before = fingerprint(geo_copy / "geo")
    assert boundaries.run_boundaries(geo_copy) == 1
    assert fingerprint(geo_copy / "geo") == before
    assert "ungültig" in capsys.readouterr().err


def test_unreachable_wfs_keeps_files(geo_copy, monkeypatch, capsys):
    monkeypatch.setenv("IR_BKG_WFS_URL", "http://127.0.0.1:9/wfs_vg250")
    before = fingerprint(geo_copy / "geo")
    assert boundaries.run_boundaries(geo_copy) == 1
    assert fingerprint(geo_copy / "geo") == before
    assert "nicht erreichbar" in capsys.readouterr().err
