"""Guess-then-reveal polls: vote storage (SQLite), input validation and rate limits.

One vote per device per question: the device is a random id in an httponly cookie (no personal data);
the primary key ``(poll_id, device_id)`` enforces it. The same SQLite file keeps small key/value entries
(the live position), so votes and position survive a restart.
"""

from __future__ import annotations

import math
import re
import secrets
import sqlite3
import statistics
import threading
import time
from collections import OrderedDict
from pathlib import Path

from integrationsregion.catalogue import format_number
from integrationsregion.live.scenes import PollSpec

DEVICE_COOKIE = "ir_device"
_DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

SCHEMA = """
CREATE TABLE IF NOT EXISTS votes (
    poll_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    value REAL NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (poll_id, device_id)
);
CREATE TABLE IF NOT EXISTS kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


class VoteError(ValueError):
    """A vote that is refused; ``message`` is German and shown on the phone."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


def new_device_id() -> str:
    return secrets.token_urlsafe(18)


def valid_device_id(value: str | None) -> bool:
    return bool(value) and bool(_DEVICE_ID.match(value))


def parse_guess(raw: object, spec: PollSpec) -> float:
    """A number within the question's plausible range; accepts German decimal commas ("12,5")."""
    if isinstance(raw, bool) or raw is None:
        raise VoteError("Bitte eine Zahl eingeben.")
    if isinstance(raw, str):
        text = raw.strip().replace("\u2009", "").replace(" ", "").replace("%", "")
        if len(text) > 20:
            raise VoteError("Bitte eine Zahl eingeben.")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            raise VoteError("Bitte eine Zahl eingeben.") from None
    elif isinstance(raw, int | float):
        value = float(raw)
    else:
        raise VoteError("Bitte eine Zahl eingeben.")
    if not math.isfinite(value) or not spec.min <= value <= spec.max:
        lo, hi = format_number(spec.min, _decimals(spec.min)), format_number(spec.max, _decimals(spec.max))
        raise VoteError(f"Bitte eine Zahl zwischen {lo} und {hi} eingeben.")
    return value


def _decimals(x: float) -> int:
    return 0 if float(x).is_integer() else 1


class RateLimiter:
    """Token bucket per key (device id or client address), bounded memory (least recently used evicted)."""

    def __init__(self, rate_per_second: float, burst: int, max_keys: int = 50_000):
        self.rate = rate_per_second
        self.burst = burst
        self.max_keys = max_keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            allowed = tokens >= 1.0
            if allowed:
                tokens -= 1.0
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
            return allowed

    def reset(self, key: str) -> None:
        with self._lock:
            self._buckets.pop(key, None)


class PollStore:
    """SQLite file shared by the votes and the key/value entries; safe to call from several threads."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, timeout=10, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add_vote(self, poll_id: str, device_id: str, value: float) -> bool:
        """Record a vote; False if this device has voted on this question already."""
        with self._lock:
            cur = self._db.execute(
                "INSERT OR IGNORE INTO votes (poll_id, device_id, value, created_at) VALUES (?, ?, ?, ?)",
                (poll_id, device_id, value, time.time()),
            )
            return cur.rowcount == 1

    def has_voted(self, poll_id: str, device_id: str) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM votes WHERE poll_id = ? AND device_id = ?", (poll_id, device_id)
            ).fetchone()
        return row is not None

    def count(self, poll_id: str) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM votes WHERE poll_id = ?", (poll_id,)).fetchone()[0]

    def values(self, poll_id: str) -> list[float]:
        with self._lock:
            rows = self._db.execute("SELECT value FROM votes WHERE poll_id = ?", (poll_id,)).fetchall()
        return [r[0] for r in rows]

    def clear(self, poll_id: str) -> int:
        with self._lock:
            return self._db.execute("DELETE FROM votes WHERE poll_id = ?", (poll_id,)).rowcount

    def get(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, value: str) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )


def _nice_step(span: float, target_bins: int = 12) -> float:
    raw = max(span, 1e-9) / target_bins
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def summarize(values: list[float], official: float | None) -> dict:
    """Count, median, mean and histogram bins (nice widths over the guesses and the official value)."""
    if not values:
        return {"n": 0, "median": None, "mean": None, "bins": [], "official": official}
    span_values = [*values, official] if official is not None else list(values)
    lo, hi = min(span_values), max(span_values)
    step = _nice_step(hi - lo)
    start = math.floor(lo / step) * step
    n_bins = max(1, math.floor((hi - start) / step) + 1)
    counts = [0] * n_bins
    for v in values:
        counts[min(n_bins - 1, int((v - start) // step))] += 1
    bins = [{"lo": start + i * step, "hi": start + (i + 1) * step, "n": c} for i, c in enumerate(counts)]
    return {
        "n": len(values),
        "median": statistics.median(values),
        "mean": statistics.fmean(values),
        "bins": bins,
        "official": official,
    }
