"""Guess-then-reveal polls: vote storage, input validation and rate limits.

One vote per device per question: the device is a random id in a signed, httponly cookie (``device``); the
primary key ``(poll_id, device_id)`` enforces it. ``SqliteVotes`` is the single-process default (the same
file keeps the live position); ``integrationsregion.live.redis_state.RedisVotes`` shares votes between
processes. A damaged SQLite file is moved aside with a timestamp and a fresh one is created; a write that
fails is reported to the phone, never answered with "gespeichert".
"""

from __future__ import annotations

import asyncio
import logging
import math
import sqlite3
import statistics
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from integrationsregion.formatting import number as format_number
from integrationsregion.live.scenes import PollSpec

log = logging.getLogger(__name__)

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
NOT_SAVED = "Ihre Schätzung konnte nicht gespeichert werden – bitte gleich noch einmal senden."


class VoteError(ValueError):
    """A vote that is refused; ``message`` is German and shown on the phone."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


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


class MemoryCounters:
    """Expiring counters of one process (address caps, login failures); bounded memory."""

    def __init__(self, max_keys: int = 100_000):
        self._counts: OrderedDict[str, tuple[int, float]] = OrderedDict()
        self._max_keys = max_keys

    async def hit(self, key: str, ttl: float) -> int:
        now = time.monotonic()
        count, expires = self._counts.pop(key, (0, now + ttl))
        if expires <= now:
            count, expires = 0, now + ttl
        self._counts[key] = (count + 1, expires)
        while len(self._counts) > self._max_keys:
            self._counts.popitem(last=False)
        return count + 1

    async def get(self, key: str) -> int:
        count, expires = self._counts.get(key, (0, 0.0))
        return count if expires > time.monotonic() else 0


class SqliteVotes:
    """SQLite file with the votes and small key/value entries; safe to call from several threads."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._lock = threading.Lock()
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ir-live-votes")
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:
            self._db = self._replace_damaged(exc)

    def _open(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, timeout=10, isolation_level=None)
        try:
            db.executescript(SCHEMA)
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise sqlite3.DatabaseError(check)
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _replace_damaged(self, exc: Exception) -> sqlite3.Connection:
        """Move the damaged file aside (timestamped) and start a fresh one; the old votes stay in that file."""
        target = self.path.with_name(f"{self.path.name}.beschaedigt-{time.strftime('%Y%m%dT%H%M%S')}")
        for suffix in ("", "-journal", "-wal", "-shm"):
            source = Path(str(self.path) + suffix)
            if source.exists():
                source.replace(Path(str(target) + suffix))
        log.error(
            "Live-Modus: Stimmen-Datenbank %s ist beschädigt (%s); nach %s verschoben, neue Datei angelegt.",
            self.path,
            type(exc).__name__,
            target.name,
        )
        return self._open()

    def _run(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        """Execute under the lock; a damaged file is replaced and the error re-raised as ``VoteError`` 503."""
        with self._lock:
            try:
                return self._db.execute(sql, args)
            except sqlite3.DatabaseError as exc:
                self._db.close()
                self._db = self._replace_damaged(exc)
                raise VoteError(NOT_SAVED, status=503) from None

    def close(self) -> None:
        with self._lock:
            self._db.close()
        self._thread.shutdown(wait=False)

    async def _call(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._thread, fn, *args)

    async def add(self, poll_id: str, device_id: str, value: float) -> bool:
        return await self._call(self.add_vote, poll_id, device_id, value)

    async def all_values(self, poll_id: str) -> list[float]:
        return await self._call(self.values, poll_id)

    async def total(self, poll_id: str) -> int:
        return await self._call(self.count, poll_id)

    def add_vote(self, poll_id: str, device_id: str, value: float) -> bool:
        """Record a vote; False if this device has voted on this question already."""
        cur = self._run(
            "INSERT OR IGNORE INTO votes (poll_id, device_id, value, created_at) VALUES (?, ?, ?, ?)",
            (poll_id, device_id, value, time.time()),
        )
        return cur.rowcount == 1

    def values(self, poll_id: str) -> list[float]:
        return [r[0] for r in self._run("SELECT value FROM votes WHERE poll_id = ?", (poll_id,)).fetchall()]

    def count(self, poll_id: str) -> int:
        return self._run("SELECT COUNT(*) FROM votes WHERE poll_id = ?", (poll_id,)).fetchone()[0]

    def get(self, key: str) -> str | None:
        row = self._run("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def put(self, key: str, value: str) -> None:
        self._run(
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
