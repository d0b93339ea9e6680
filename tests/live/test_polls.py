"""Poll storage, validation and limits (no server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from integrationsregion.live.polls import PollStore, RateLimiter, VoteError, parse_guess, summarize
from integrationsregion.live.scenes import PollSpec

SPEC = PollSpec(id="q", question="?", ags="05513", indicator="unemployment_rate", year=2019, min=0, max=100)


@pytest.mark.parametrize(
    ("raw", "value"), [(12, 12.0), (12.5, 12.5), ("12,5", 12.5), (" 7 % ", 7.0), ("0", 0.0)]
)
def test_guess_accepts_numbers_and_german_decimals(raw, value):
    assert parse_guess(raw, SPEC) == value


@pytest.mark.parametrize("raw", [None, True, "", "abc", "1e999", "nan", [1], {"v": 1}, "1" * 30])
def test_guess_rejects_non_numbers_in_german(raw):
    with pytest.raises(VoteError, match="Bitte eine Zahl"):
        parse_guess(raw, SPEC)


@pytest.mark.parametrize("raw", [-1, 100.5, "250"])
def test_guess_rejects_implausible_values(raw):
    with pytest.raises(VoteError, match="zwischen 0 und 100"):
        parse_guess(raw, SPEC)


def test_one_vote_per_device_and_votes_survive_reopen(tmp_path: Path):
    db = tmp_path / "live.sqlite3"
    store = PollStore(db)
    assert store.add_vote("q", "device-aaaaaaaaaaaaaaaaaaaa", 20.0)
    assert not store.add_vote("q", "device-aaaaaaaaaaaaaaaaaaaa", 30.0)
    assert store.add_vote("q", "device-bbbbbbbbbbbbbbbbbbbb", 30.0)
    assert store.add_vote("other", "device-aaaaaaaaaaaaaaaaaaaa", 1.0)
    store.put("k", "v")
    store.close()
    reopened = PollStore(db)
    assert sorted(reopened.values("q")) == [20.0, 30.0]
    assert reopened.count("other") == 1
    assert reopened.get("k") == "v"
    reopened.close()


def test_rate_limiter_token_bucket():
    limiter = RateLimiter(rate_per_second=1, burst=3, max_keys=2)
    assert [limiter.allow("a", now=0) for _ in range(4)] == [True, True, True, False]
    assert limiter.allow("a", now=1.0)  # refilled one token
    assert limiter.allow("b", now=1.0)
    assert limiter.allow("c", now=1.0)  # evicts the least recently used key
    assert len(limiter._buckets) == 2


def test_summary_bins_cover_guesses_and_official_value():
    values = [10.0, 12.0, 25.0, 30.0, 31.0]
    summary = summarize(values, official=29.3)
    assert summary["n"] == 5 and summary["median"] == 25.0
    assert sum(b["n"] for b in summary["bins"]) == 5
    assert summary["bins"][0]["lo"] <= 10.0 and summary["bins"][-1]["hi"] > 31.0
    assert summarize([], official=1.0)["n"] == 0
