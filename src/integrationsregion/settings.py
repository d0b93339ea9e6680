"""Every setting of the project, defined once: environment variable, secrets key, type, default, meaning.

Values come from the environment (`IR_*`) first, then from `.streamlit/secrets.toml` (or the file named by
`IR_SECRETS_FILE`) for the keys that have one, then the default. Relative paths are resolved against the
current working directory (the checkout, where `scripts/run.sh` and the Dockerfile start the app), never
against this file's position, so an installed package finds its data the same way.

`docs/SETTINGS.md` lists every setting; `tests/test_settings.py` keeps that list complete.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any


class SettingsError(ValueError):
    """A setting has a value that cannot be used; the message names the variable."""


def _path(raw: str) -> Path:
    return Path(raw).expanduser().absolute()


def _optional_text(raw: str) -> str | None:
    return raw.strip() or None


def _url(raw: str) -> str | None:
    value = raw.strip().rstrip("/")
    if value and not value.startswith(("http://", "https://")):
        raise ValueError("muss mit http:// oder https:// beginnen")
    return value or None


def _positive_float(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ValueError("muss eine positive Zahl sein") from None
    if not math.isfinite(value) or value <= 0:
        raise ValueError("muss eine positive Zahl sein")
    return value


def _positive_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValueError("muss eine ganze Zahl ≥ 1 sein") from None
    if value < 1:
        raise ValueError("muss eine ganze Zahl ≥ 1 sein")
    return value


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        value = raw.strip().lower()
        if value not in allowed:
            raise ValueError(f"erlaubt: {', '.join(allowed)}")
        return value

    return parse


def setting(
    env: str,
    default: str | None,
    parse: Callable[[str], Any],
    doc: str,
    *,
    secret_key: str | None = None,
    secret: bool = False,
) -> Any:
    """Declare a field of `Settings`: its variable, default (as text, parsed like a given value) and meaning."""
    return field(
        metadata={
            "env": env,
            "default": default,
            "parse": parse,
            "doc": doc,
            "secret_key": secret_key,
            "secret": secret,
        }
    )


@dataclass(frozen=True)
class Settings:
    """The configuration of one process. Build it with `load_settings()`; read it with `get_settings()`."""

    snapshot_dir: Path = setting(
        "IR_SNAPSHOT_DIR", "data", _path, "Snapshot the app reads and `update` writes (embedded: `data/`)."
    )
    state_dir: Path = setting(
        "IR_STATE_DIR",
        "var",
        _path,
        "Writable runtime state: votes, live position, tour edits, locks. Never inside the snapshot.",
    )
    secrets_file: Path = setting(
        "IR_SECRETS_FILE",
        ".streamlit/secrets.toml",
        _path,
        "TOML file with secrets (presenter token, device key, GENESIS credentials).",
    )
    public_url: str | None = setting(
        "IR_PUBLIC_URL",
        None,
        _url,
        "Address the hall scans and types (QR code on the big screen), e.g. `https://ruhr.example.org/integration` (unset: this machine's LAN address).",
    )
    live_backend: str = setting(
        "IR_LIVE_BACKEND",
        "memory",
        _choice("memory", "redis"),
        "`memory` (one process, votes in SQLite) or `redis` (several processes share the live state).",
    )
    redis_url: str = setting(
        "IR_REDIS_URL", "redis://localhost:6379/0", str, "Redis server for the `redis` live backend."
    )
    live_keepalive: float = setting(
        "IR_LIVE_KEEPALIVE",
        "15",
        _positive_float,
        "Seconds between keep-alive comments on the live event stream.",
    )
    live_tour: Path | None = setting(
        "IR_LIVE_TOUR",
        None,
        lambda raw: _path(raw) if raw.strip() else None,
        "Default tour of the live mode (unset: `live/tour.json` in the snapshot directory).",
    )
    presenter_token: str | None = setting(
        "IR_PRESENTER_TOKEN",
        None,
        _optional_text,
        "Token of the presenter console; unset: generated at start and printed once on the console.",
        secret_key="presenter_token",
        secret=True,
    )
    device_secret: str | None = setting(
        "IR_DEVICE_SECRET",
        None,
        _optional_text,
        "Key that signs the phones' device cookies; unset: random per start (set it when several processes serve `/live`).",
        secret_key="device_secret",
        secret=True,
    )
    live_votes_per_address: int = setting(
        "IR_LIVE_VOTES_PER_ADDRESS",
        "400",
        _positive_int,
        "Votes accepted per client address and poll (a hall behind one NAT shares an address).",
    )
    max_concurrent_runs: int = setting(
        "IR_MAX_CONCURRENT_RUNS",
        "2",
        _positive_int,
        "Streamlit script runs executing at once in one process.",
    )
    genesis_regio_url: str | None = setting(
        "IR_GENESIS_REGIO_URL", None, _url, "Regionaldatenbank web service (unset: the official address)."
    )
    genesis_destatis_url: str | None = setting(
        "IR_GENESIS_DESTATIS_URL", None, _url, "GENESIS-Online web service (unset: the official address)."
    )
    genesis_ldbnrw_url: str | None = setting(
        "IR_GENESIS_LDBNRW_URL", None, _url, "Landesdatenbank NRW web service (unset: the official address)."
    )
    bkg_wfs_url: str | None = setting(
        "IR_BKG_WFS_URL", None, _url, "BKG WFS for the boundary refresh (unset: the official address)."
    )
    genesis_timeout: float = setting(
        "IR_GENESIS_TIMEOUT", "120", _positive_float, "Seconds one GENESIS download may take in all."
    )
    genesis_backoff: float = setting(
        "IR_GENESIS_BACKOFF",
        "1",
        _positive_float,
        "First wait in seconds before retrying a failed GENESIS call.",
    )
    genesis_job_poll: float = setting(
        "IR_GENESIS_JOB_POLL", "5", _positive_float, "Seconds between checks of a GENESIS background job."
    )
    genesis_job_timeout: float = setting(
        "IR_GENESIS_JOB_TIMEOUT", "900", _positive_float, "Seconds to wait for a GENESIS background job."
    )
    genesis_user: str | None = setting(
        "IR_GENESIS_USER",
        None,
        _optional_text,
        "GENESIS user name for all three databases unless a database has its own.",
        secret_key="genesis.user",
        secret=True,
    )
    genesis_password: str | None = setting(
        "IR_GENESIS_PASSWORD",
        None,
        _optional_text,
        "Password belonging to `IR_GENESIS_USER`.",
        secret_key="genesis.password",
        secret=True,
    )
    regio_user: str | None = setting(
        "IR_REGIO_USER",
        None,
        _optional_text,
        "User of the Regionaldatenbank.",
        secret_key="genesis.regio.user",
        secret=True,
    )
    regio_password: str | None = setting(
        "IR_REGIO_PASSWORD",
        None,
        _optional_text,
        "Password of the Regionaldatenbank user.",
        secret_key="genesis.regio.password",
        secret=True,
    )
    destatis_user: str | None = setting(
        "IR_DESTATIS_USER",
        None,
        _optional_text,
        "User of GENESIS-Online.",
        secret_key="genesis.genesis.user",
        secret=True,
    )
    destatis_password: str | None = setting(
        "IR_DESTATIS_PASSWORD",
        None,
        _optional_text,
        "Password of the GENESIS-Online user.",
        secret_key="genesis.genesis.password",
        secret=True,
    )
    ldbnrw_user: str | None = setting(
        "IR_LDBNRW_USER",
        None,
        _optional_text,
        "User of the Landesdatenbank NRW.",
        secret_key="genesis.ldbnrw.user",
        secret=True,
    )
    ldbnrw_password: str | None = setting(
        "IR_LDBNRW_PASSWORD",
        None,
        _optional_text,
        "Password of the Landesdatenbank NRW user.",
        secret_key="genesis.ldbnrw.password",
        secret=True,
    )

    def __repr__(self) -> str:
        shown = (
            f"{f.name}={'***' if f.metadata['secret'] and getattr(self, f.name) else getattr(self, f.name)!r}"
            for f in fields(self)
        )
        return f"Settings({', '.join(shown)})"

    __str__ = __repr__

    @property
    def tour_path(self) -> Path:
        """The default tour: `IR_LIVE_TOUR` or the snapshot's `live/tour.json`."""
        return self.live_tour or self.snapshot_dir / "live" / "tour.json"


def describe() -> list[dict[str, str | None]]:
    """One entry per setting (variable, secrets key, default, meaning) — for docs and their test."""
    return [
        {
            "name": f.name,
            "env": f.metadata["env"],
            "secret_key": f.metadata["secret_key"],
            "default": f.metadata["default"],
            "doc": f.metadata["doc"],
        }
        for f in fields(Settings)
    ]


def _secret_value(secrets: Mapping[str, Any], dotted: str) -> str | None:
    node: Any = secrets
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return None if isinstance(node, Mapping) or node is None else str(node)


def _read_secrets(path: Path) -> Mapping[str, Any]:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path.name} ist nicht lesbar ({type(exc).__name__}).") from None


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read every setting from `env` (default: the process environment) and the secrets file."""
    env = os.environ if env is None else env
    by_name = {f.name: f for f in fields(Settings)}
    secrets_field = by_name["secrets_file"]
    secrets_path = _parse(secrets_field, env.get(secrets_field.metadata["env"]))
    secrets = _read_secrets(secrets_path)
    values: dict[str, Any] = {}
    for f in fields(Settings):
        raw = env.get(f.metadata["env"])
        if (raw is None or raw == "") and f.metadata["secret_key"]:
            raw = _secret_value(secrets, f.metadata["secret_key"])
        values[f.name] = _parse(f, raw)
    return Settings(**values)


def _parse(f: Any, raw: str | None) -> Any:
    meta = f.metadata
    if raw is None or raw == "":
        return None if meta["default"] is None else meta["parse"](meta["default"])
    try:
        return meta["parse"](raw)
    except ValueError as exc:
        shown = "***" if meta["secret"] else repr(raw[:80])
        raise SettingsError(f"{meta['env']}={shown} ist ungültig: {exc}") from None


@cache
def get_settings() -> Settings:
    """The settings of this process, read once. Tests that change the environment call `get_settings.cache_clear()`."""
    return load_settings()
