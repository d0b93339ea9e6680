"""Settings of the live mode, read from the environment once per call."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from integrationsregion.settings import load_settings


@dataclass(frozen=True)
class LiveConfig:
    data_dir: Path
    """Writable directory for votes and the live position (git-ignored ``var/`` by default)."""
    tour_path: Path
    backend: str
    """``memory`` (one process) or ``redis`` (several processes share a session)."""
    redis_url: str
    public_url: str | None
    """Base URL the hall types or scans, e.g. ``https://ruhr.example.org``; derived from the request if unset."""
    keepalive_seconds: float

    @property
    def db_path(self) -> Path:
        return self.data_dir / "live.sqlite3"

    @classmethod
    def from_env(cls, **overrides) -> LiveConfig:
        env = os.environ
        values = {
            "data_dir": load_settings(env).state_dir,
            "tour_path": load_settings(env).tour_path,
            "backend": env.get("IR_LIVE_BACKEND", "memory").strip().lower() or "memory",
            "redis_url": env.get("IR_REDIS_URL", "redis://localhost:6379/0"),
            "public_url": (env.get("IR_PUBLIC_URL") or "").rstrip("/") or None,
            "keepalive_seconds": float(env.get("IR_LIVE_KEEPALIVE", "15")),
        }
        values.update(overrides)
        if values["backend"] not in ("memory", "redis"):
            raise ValueError(f"IR_LIVE_BACKEND must be 'memory' or 'redis', not {values['backend']!r}")
        return cls(**values)
