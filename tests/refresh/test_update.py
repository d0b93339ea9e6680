"""`integrationsregion update` against a local fake GENESIS server: the done case and every fault."""

from __future__ import annotations

import argparse
import errno
import os

import pandas as pd
import pytest

from integrationsregion.genesis import update
from integrationsregion.snapshot import read_observations
from integrationsregion.store import Store

from . import fake_genesis
from .conftest import fingerprint

UNITS = ["05112", "05113", "05117", "05119", "05170", "05512", "05513", "05562",
         "05911", "05913", "05914", "05915", "05916", "05954", "05978"]  # fmt: skip


def run(data_dir, *extra: str) -> int:
    parser = argparse.ArgumentParser()
    update.add_update_arguments(parser)
    args = parser.parse_args(["--data-dir", str(data_dir), "--tables", "13211-02-05-4", *extra])
    return update.run_update(args)


def assert_secret_free(text: str) -> None:
    assert fake_genesis.PASSWORD not in text
    assert fake_genesis.USER not in text


# --------------------------------------------------------------------------------------------- done


def test_update_fills_gap_years_with_new_provenance(refresh_env, snapshot_copy, capsys):
    before = read_observations(snapshot_copy / "observations.csv")
    gap = before[(before.indicator == "unemployed") & before.region.isin(UNITS) & (before.year == 2021)]
    assert gap.empty, "precondition: 2021 is a gap year in the shipped snapshot"

    assert run(snapshot_copy) == 0
    out = capsys.readouterr()
    after = read_observations(snapshot_copy / "observations.csv")

    # Every old row is still there (nothing removed).
    old_keys = set(before[["region", "indicator", "breakdown", "ref_date"]].itertuples(index=False))
    new_keys = set(after[["region", "indicator", "breakdown", "ref_date"]].itertuples(index=False))
    assert old_keys <= new_keys
    filled = after[(after.indicator == "unemployed") & after.region.isin(UNITS) & (after.year == 2021)]
    assert sorted(filled.region.unique()) == sorted(UNITS)
    assert set(filled.breakdown) == {"total", "foreign"}
    # Values come from the served file (fixture rows), not from code.
    fixture = fake_genesis.table_text("13211-02-05-4", {"regionalvariable": "KREISE", "regionalkey": "05112"})
    duisburg_2021 = [
        r for r in fixture.splitlines() if ";2021;" in r and ";;Insgesamt;" in r and "ERWP06" in r
    ]
    expected = float(duisburg_2021[0].split(";")[13])
    got = filled[(filled.region == "05112") & (filled.breakdown == "total")].value.item()
    assert got == expected
    # New provenance: the service URL, the table's Stand from metadata/table, a retrieval time.
    row = filled.iloc[0]
    assert row.quality == "official"
    assert row.source_url.startswith(refresh_env.base_url) and "13211-02-05-4" in row.source_url
    assert row.stand == "2026-02-26"
    assert row.retrieved.startswith("20")
    assert row.table_code == "13211-02-05-4"
    # Missing code '.' stays missing (Herne foreigners' rate 2021), never 0.
    herne = after[(after.region == "05916") & (after.indicator == "unemployment_rate") & (after.year == 2021)]
    assert set(herne.breakdown) == {"total"}
    # Derived share and RVR sum, flagged derived, from the same table and year.
    share = after[(after.region == "05112") & (after.indicator == "share_foreign_among_unemployed")
                  & (after.year == 2021)]  # fmt: skip
    total = filled[(filled.region == "05112") & (filled.breakdown == "total")].value.item()
    foreign = filled[(filled.region == "05112") & (filled.breakdown == "foreign")].value.item()
    assert share.value.item() == round(foreign / total * 100, 1)
    assert share.quality.item() == "derived"
    rvr = after[(after.region == "RVR") & (after.indicator == "unemployed") & (after.year == 2021)]
    assert rvr[rvr.breakdown == "total"].value.item() == filled[filled.breakdown == "total"].value.sum()
    assert set(rvr.quality) == {"derived"}
    # Manifest: per-source vintage and last refresh.
    manifest = pd.read_json(snapshot_copy / "manifest.json", typ="series")
    assert manifest["vintages"]["Regionaldatenbank 13211-02-05-4"] == "2026-02-26"
    assert "regio" in manifest["last_refreshed"]
    assert "neue Werte" in out.out and "nothing removed" in out.out
    assert "[1/1] 13211-02-05-4" in out.out
    # Credentials travelled only as headers.
    for req in refresh_env.requests:
        assert fake_genesis.PASSWORD not in req["body"] + req["path"]
        assert req["headers"]["password"] == fake_genesis.PASSWORD
    assert_secret_free(out.out + out.err + (snapshot_copy / "observations.csv").read_text())
    assert_secret_free((snapshot_copy / "manifest.json").read_text())

    # The app, restarted on the refreshed snapshot, shows the new year with its new provenance.
    store = Store.load(snapshot_copy)
    assert 2021 in store.years("unemployed", "total")
    shown = store.cross_section("unemployed", 2021, "total")
    assert shown["value"].notna().all()
    assert shown["source_label"].str.contains("Stand 26.02.2026").all()


def test_second_run_changes_nothing(refresh_env, snapshot_copy, capsys):
    assert run(snapshot_copy) == 0
    first = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 0
    assert fingerprint(snapshot_copy) == first
    assert "Keine Änderungen" in capsys.readouterr().out


def test_dry_run_writes_nothing(refresh_env, snapshot_copy, capsys):
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy, "--dry-run") == 0
    assert fingerprint(snapshot_copy) == before
    assert "Probelauf" in capsys.readouterr().out


def test_background_job_flow(refresh_env, snapshot_copy):
    refresh_env.faults["data/tablefile"] = ["json-98"]
    assert run(snapshot_copy) == 0
    endpoints = [r["endpoint"] for r in refresh_env.requests]
    assert "catalogue/results" in endpoints and "data/resultfile" in endpoints


def test_retry_after_500_then_success(refresh_env, snapshot_copy):
    refresh_env.faults["data/tablefile"] = ["500", "500"]
    assert run(snapshot_copy) == 0


def test_plain_csv_answer(refresh_env, snapshot_copy):
    refresh_env.plain_csv = True
    assert run(snapshot_copy) == 0


# --------------------------------------------------------------------------------------------- faults

FAULTS = [
    ("metadata/table", ["401"], "Anmeldung abgelehnt"),
    ("data/tablefile", ["403"], "Anmeldung abgelehnt"),
    ("data/tablefile", ["500", "500", "500"], "Serverfehler HTTP 500"),
    ("data/tablefile", ["html"], "HTML-/XML-Seite statt CSV"),
    ("data/tablefile", ["truncated", "truncated", "truncated"], "unvollständig"),
    ("data/tablefile", ["truncated-zip"], "ZIP-Antwort beschädigt"),
    ("data/tablefile", ["slow"], "keine Antwort innerhalb"),
    ("data/tablefile", ["bad-layout"], "unbekannter Spaltenaufbau"),
    ("data/tablefile", ["bad-value"], "unerwarteter Wert"),
    ("data/tablefile", ["quota"], "zu viele Anfragen"),
    ("metadata/table", ["not-found"], "nicht gefunden"),
]


@pytest.mark.parametrize(("endpoint", "faults", "message"), FAULTS, ids=[f[1][0] for f in FAULTS])
def test_fault_leaves_snapshot_byte_identical(refresh_env, snapshot_copy, capsys, endpoint, faults, message):
    refresh_env.faults[endpoint] = list(faults)
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 1
    assert fingerprint(snapshot_copy) == before
    err = capsys.readouterr().err
    assert message in err
    assert "Schnappschuss unverändert" in err and "snapshot unchanged" in err
    assert_secret_free(err)


def test_wrong_credentials(refresh_env, snapshot_copy, capsys, monkeypatch):
    monkeypatch.setenv("IR_REGIO_PASSWORD", "wrong-password-xyz")
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 1
    assert fingerprint(snapshot_copy) == before
    err = capsys.readouterr().err
    assert "Anmeldung abgelehnt (HTTP 401)" in err
    assert "wrong-password-xyz" not in err


def test_no_credentials(refresh_env, snapshot_copy, capsys, monkeypatch):
    monkeypatch.delenv("IR_REGIO_USER")
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 1
    assert fingerprint(snapshot_copy) == before
    assert "keine Zugangsdaten" in capsys.readouterr().err


def test_connection_refused(refresh_env, snapshot_copy, capsys, monkeypatch):
    monkeypatch.setenv("IR_GENESIS_REGIO_URL", "http://127.0.0.1:9/genesisws/rest/2020/")
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 1
    assert fingerprint(snapshot_copy) == before
    assert "keine Verbindung" in capsys.readouterr().err


def test_disk_full_leaves_snapshot_byte_identical(refresh_env, snapshot_copy, capsys, monkeypatch):
    def no_space(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", no_space)
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 1
    assert fingerprint(snapshot_copy) == before
    err = capsys.readouterr().err
    assert "Schreiben fehlgeschlagen" in err and "Speicherplatz" in err


def test_failure_between_the_two_replaces_is_rolled_back(refresh_env, snapshot_copy, monkeypatch):
    real_replace = os.replace
    calls = []

    def flaky_replace(src, dst):
        calls.append(dst)
        if str(dst).endswith("manifest.json") and len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky_replace)
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 1
    assert fingerprint(snapshot_copy) == before


def test_keyboard_interrupt_mid_update(refresh_env, snapshot_copy, capsys, monkeypatch):
    real = update.parse_ffcsv
    calls = {"n": 0}

    def interrupt(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(update, "parse_ffcsv", interrupt)
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 130
    assert fingerprint(snapshot_copy) == before
    assert "Abgebrochen" in capsys.readouterr().err


def test_keyboard_interrupt_while_writing(refresh_env, snapshot_copy, monkeypatch):
    real_fsync = os.fsync

    def interrupt(fd):
        real_fsync(fd)
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 130
    assert fingerprint(snapshot_copy) == before


def test_invalid_merged_snapshot_is_not_written(refresh_env, snapshot_copy, capsys, monkeypatch):
    monkeypatch.setattr(update, "check_snapshot", lambda *a: ["share 140 outside 0–100"])
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 1
    assert fingerprint(snapshot_copy) == before
    assert "ungültig" in capsys.readouterr().err


def test_value_missing_in_new_download_keeps_old_value(refresh_env, snapshot_copy, capsys, monkeypatch):
    # First fill 2021, then serve a vintage where Duisburg 2021 is withheld ('.'): the old value stays.
    assert run(snapshot_copy) == 0
    kept = read_observations(snapshot_copy / "observations.csv")
    real = fake_genesis.table_text

    def withheld(name, form):
        lines = real(name, form).splitlines()
        out = [
            (line.rsplit(";", 4)[0] + ";.;" + ";".join(line.rsplit(";", 3)[1:]))
            if ";2021;" in line and ";05112;" in line and "ERWP06" in line
            else line
            for line in lines
        ]
        return "\n".join(out) + "\n"

    monkeypatch.setattr(fake_genesis, "table_text", withheld)
    capsys.readouterr()
    assert run(snapshot_copy) == 0
    after = read_observations(snapshot_copy / "observations.csv")
    assert len(after) == len(kept)
    sel = (after.region == "05112") & (after.indicator == "unemployed") & (after.year == 2021)
    assert after[sel].value.tolist() == kept[sel].value.tolist()
    assert "behalten/kept" in capsys.readouterr().out
