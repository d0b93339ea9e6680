"""Settings: defined once, documented, validated with a message that names the variable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from integrationsregion.settings import SettingsError, describe, load_settings

pytestmark = pytest.mark.unit
DOC = Path(__file__).resolve().parents[1] / "docs" / "SETTINGS.md"


def test_every_setting_is_documented_with_its_secrets_key() -> None:
    rows = {
        m.group(1): m.group(2) for m in re.finditer(r"^\| `(IR_\w+)` \| ([^|]*)\|", DOC.read_text(), re.M)
    }
    for entry in describe():
        assert entry["env"] in rows, f"{entry['env']} fehlt in docs/SETTINGS.md"
        key = rows[entry["env"]].strip().strip("`")
        assert key == (entry["secret_key"] or ""), entry["env"]
    assert set(rows) == {e["env"] for e in describe()}, "docs/SETTINGS.md nennt eine unbekannte Variable"


def test_environment_wins_over_secrets_file(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('presenter_token = "aus-der-datei-123"\n[genesis.regio]\nuser = "regio-nutzer"\n')
    from_file = load_settings({"IR_SECRETS_FILE": str(secrets)})
    assert from_file.presenter_token == "aus-der-datei-123"
    assert from_file.regio_user == "regio-nutzer"
    from_env = load_settings({"IR_SECRETS_FILE": str(secrets), "IR_PRESENTER_TOKEN": "aus-der-umgebung-1"})
    assert from_env.presenter_token == "aus-der-umgebung-1"


def test_secrets_never_appear_in_repr(tmp_path: Path) -> None:
    settings = load_settings(
        {"IR_PRESENTER_TOKEN": "streng-geheim-42", "IR_SECRETS_FILE": str(tmp_path / "x")}
    )
    assert "streng-geheim-42" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "value"),
    [
        ("IR_GENESIS_TIMEOUT", "-5"),
        ("IR_GENESIS_TIMEOUT", "nan"),
        ("IR_LIVE_BACKEND", "postgres"),
        ("IR_MAX_CONCURRENT_RUNS", "0"),
        ("IR_PUBLIC_URL", "javascript:alert(1)"),
    ],
)
def test_bad_values_are_refused_naming_the_variable(tmp_path: Path, env: str, value: str) -> None:
    with pytest.raises(SettingsError, match=env):
        load_settings({env: value, "IR_SECRETS_FILE": str(tmp_path / "none.toml")})


def test_a_secret_value_is_not_echoed_in_the_error(tmp_path: Path) -> None:
    broken = tmp_path / "secrets.toml"
    broken.write_text("presenter_token = [unclosed")
    with pytest.raises(SettingsError) as caught:
        load_settings({"IR_SECRETS_FILE": str(broken)})
    assert "unclosed" not in str(caught.value)


def test_relative_paths_resolve_against_the_working_directory(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings({"IR_SECRETS_FILE": "none.toml"})
    assert settings.snapshot_dir == tmp_path / "data"
    assert settings.state_dir == tmp_path / "var"
    assert settings.tour_path == tmp_path / "data" / "live" / "tour.json"
