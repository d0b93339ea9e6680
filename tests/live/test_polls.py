"""Poll storage, validation, counters and device cookies (no server)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from integrationsregion.live.address import audience_address
from integrationsregion.live.device import DeviceKeys
from integrationsregion.live.polls import MemoryCounters, SqliteVotes, VoteError, parse_guess, summarize
from integrationsregion.live.scenes import PollSpec

SPEC = PollSpec(id="q", question="?", ags="05513", indicator="unemployment_rate", year=2019, min=0, max=100)


@pytest.mark.parametrize(
    ("raw", "value"), [(12, 12.0), (12.5, 12.5), ("12,5", 12.5), (" 7 % ", 7.0), ("0", 0.0)]
)
def test_guess_accepts_numbers_and_german_decimals(raw, value):
    assert parse_guess(raw, SPEC) == value


@pytest.mark.parametrize(
    "raw", [None, True, "", "abc", "1e999", "nan", "-inf", [1], {"v": 1}, "1" * 30, float("nan")]
)
def test_guess_rejects_non_numbers_in_german(raw):
    with pytest.raises(VoteError, match="Bitte eine Zahl"):
        parse_guess(raw, SPEC)


@pytest.mark.parametrize("raw", [-1, 100.5, "250"])
def test_guess_rejects_implausible_values(raw):
    with pytest.raises(VoteError, match="zwischen 0 und 100"):
        parse_guess(raw, SPEC)


def test_one_vote_per_device_and_votes_survive_reopen(tmp_path: Path):
    db = tmp_path / "live.sqlite3"
    store = SqliteVotes(db)
    assert store.add_vote("q", "device-aaaaaaaaaaaaaaaaaaaa", 20.0)
    assert not store.add_vote("q", "device-aaaaaaaaaaaaaaaaaaaa", 30.0)
    assert store.add_vote("q", "device-bbbbbbbbbbbbbbbbbbbb", 30.0)
    assert store.add_vote("other", "device-aaaaaaaaaaaaaaaaaaaa", 1.0)
    store.put("k", "v")
    store.close()
    reopened = SqliteVotes(db)
    assert sorted(reopened.values("q")) == [20.0, 30.0]
    assert reopened.count("other") == 1
    assert reopened.get("k") == "v"
    reopened.close()


@pytest.mark.parametrize("damage", [b"garbage" * 500, b"SQLite format 3\x00" + b"\xff" * 3000, b""])
def test_damaged_votes_file_is_moved_aside_and_a_fresh_one_used(tmp_path: Path, damage: bytes, caplog):
    db = tmp_path / "live.sqlite3"
    store = SqliteVotes(db)
    store.add_vote("q", "a" * 24, 1.0)
    store.close()
    original = db.read_bytes()
    db.write_bytes(damage or original[: len(original) // 3])
    with caplog.at_level(logging.ERROR):
        fresh = SqliteVotes(db)
    assert fresh.add_vote("q", "b" * 24, 2.0) and fresh.values("q") == [2.0]
    moved = list(tmp_path.glob("live.sqlite3.beschaedigt-*"))
    assert len(moved) == 1 and moved[0].read_bytes() == (damage or original[: len(original) // 3])
    assert any("beschädigt" in r.getMessage() for r in caplog.records)
    fresh.close()


def test_garbage_written_while_running_is_never_answered_as_saved(tmp_path: Path):
    db = tmp_path / "live.sqlite3"
    store = SqliteVotes(db)
    assert store.add_vote("q", "a" * 24, 1.0)
    db.write_bytes(b"not a database " * 400)
    with pytest.raises(VoteError) as refused:
        store.add_vote("q", "b" * 24, 2.0)
    assert refused.value.status == 503 and "nicht gespeichert" in refused.value.message
    assert store.add_vote("q", "b" * 24, 2.0)  # the next try lands in a fresh file
    assert list(tmp_path.glob("live.sqlite3.beschaedigt-*"))
    store.close()


def test_counters_expire_and_stay_bounded():
    counters = MemoryCounters(max_keys=2)

    async def run() -> tuple[int, int, int]:
        first = [await counters.hit("a", 60) for _ in range(3)][-1]
        await counters.hit("gone", 0.000_001)
        await asyncio.sleep(0.01)
        expired = await counters.get("gone")
        await counters.hit("c", 60)
        return first, expired, len(counters._counts)

    assert asyncio.run(run()) == (3, 0, 2)


def test_device_cookie_is_signed():
    keys = DeviceKeys("secret-one")
    value = keys.issue()
    device = keys.verify(value)
    assert device and value.startswith(device)
    assert DeviceKeys("secret-two").verify(value) is None
    assert keys.verify(device + ".AAAAAAAAAAAAAAAAAAAAAA") is None
    assert keys.verify("x" * 24) is None and keys.verify(None) is None
    assert keys.issue() != value


def test_summary_bins_cover_guesses_and_official_value():
    values = [10.0, 12.0, 25.0, 30.0, 31.0]
    summary = summarize(values, official=29.3)
    assert summary["n"] == 5 and summary["median"] == 25.0
    assert sum(b["n"] for b in summary["bins"]) == 5
    assert summary["bins"][0]["lo"] <= 10.0 and summary["bins"][-1]["hi"] > 31.0
    assert summarize([], official=1.0)["n"] == 0


@pytest.mark.parametrize(
    ("public_url", "expected", "loopback"),
    [
        ("https://ruhr.example.org/integration", "https://ruhr.example.org/integration/live", False),
        ("http://localhost:8501", "http://localhost:8501/live", True),
        ("http://[::1]:8501", "http://[::1]:8501/live", True),
    ],
)
def test_audience_address_comes_from_the_setting(public_url, expected, loopback):
    address = audience_address(public_url, 8501, "/ignored")
    assert (address.url, address.loopback) == (expected, loopback)


def test_audience_address_without_setting_uses_the_lan_address_and_base_path(monkeypatch):
    monkeypatch.setattr("integrationsregion.live.address.lan_address", lambda: "10.1.2.3")
    assert audience_address(None, 8501, "/integration").url == "http://10.1.2.3:8501/integration/live"
    monkeypatch.setattr("integrationsregion.live.address.lan_address", lambda: "127.0.0.1")
    assert audience_address(None, 8501, "").loopback
