"""The presenter token a server generates when none is configured: kept for its owner, never printed."""

from __future__ import annotations

import stat

import pytest

from integrationsregion.live import auth
from integrationsregion.settings import get_settings

pytestmark = pytest.mark.unit


@pytest.fixture
def no_configured_token(tmp_path, monkeypatch):
    monkeypatch.delenv("IR_PRESENTER_TOKEN", raising=False)
    monkeypatch.setenv("IR_SECRETS_FILE", str(tmp_path / "keine-secrets.toml"))
    monkeypatch.setenv("IR_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(auth, "_generated", None)
    get_settings.cache_clear()
    yield tmp_path / "state" / "presenter_token"
    get_settings.cache_clear()


def test_generated_token_is_kept_in_a_private_file_and_the_console_names_only_the_file(
    no_configured_token, capsys
):
    token = auth.presenter_token()
    console = capsys.readouterr().err
    assert token not in console, "the token is printed (it would end up in a log)"
    assert str(no_configured_token) in console
    assert no_configured_token.read_text(encoding="utf-8").strip() == token
    assert stat.S_IMODE(no_configured_token.stat().st_mode) == 0o600
    assert auth.presenter_token() == token and auth.check_token(token)
    assert capsys.readouterr().err == "", "said once per server start"


def test_a_token_agreed_with_other_processes_replaces_the_file(no_configured_token, capsys):
    auth.presenter_token()
    auth.adopt_token("vom-ersten-prozess-erzeugt")
    assert no_configured_token.read_text(encoding="utf-8").strip() == "vom-ersten-prozess-erzeugt"
    assert "vom-ersten-prozess-erzeugt" not in capsys.readouterr().err


def test_an_unwritable_state_dir_asks_for_a_configured_token(no_configured_token, capsys):
    no_configured_token.parent.parent.joinpath("state").write_text(
        "keine Verzeichnis"
    )  # a file, not a folder
    token = auth.presenter_token()
    console = capsys.readouterr().err
    assert token not in console and "IR_PRESENTER_TOKEN setzen" in console
