"""`integrationsregion update` replaying real recorded GENESIS answers over HTTP on localhost: the done case,
one line per table, and every fault leaving the snapshot byte-identical."""

from __future__ import annotations

import argparse
import csv
import errno
import json
import os

import pytest

from integrationsregion.genesis import client as gc
from integrationsregion.genesis import update
from integrationsregion.snapshot import read_observations
from integrationsregion.store import Store
from integrationsregion.validation import manifest_problems

from . import fake_genesis
from .conftest import fingerprint

UNITS = ["05112", "05113", "05117", "05119", "05170", "05512", "05513", "05562",
         "05911", "05913", "05914", "05915", "05916", "05954", "05978"]  # fmt: skip
TABLE = "13111-01-03-4"
KEY = ["region", "indicator", "breakdown", "ref_date"]


def run(data_dir, *extra: str, tables=(TABLE,)) -> int:
    parser = argparse.ArgumentParser()
    update.add_update_arguments(parser)
    return update.run_update(parser.parse_args(["--data-dir", str(data_dir), "--tables", *tables, *extra]))


def published_2023() -> dict[tuple[str, str], float]:
    """(AGS, total|foreign) -> value, read straight from the recorded real answer (old German layout)."""
    rows = csv.reader(
        (fake_genesis.RECORDED / "13111-01-03-4.2023-old-layout.csv").open(encoding="utf-8"), delimiter=";"
    )
    header = next(rows)
    value = header.index("ERW032__Sozialversicherungspfl._Beschaeftigte_(Arbeitsort)__Anzahl")
    out = {}
    for r in rows:
        if r[15] == "" and r[11] in ("", "NATA"):  # GES total; NAT total or foreigners
            out[(r[7], "total" if r[11] == "" else "foreign")] = float(r[value])
    return out


def assert_clean(text: str) -> None:
    assert fake_genesis.PASSWORD not in text and fake_genesis.USER not in text
    assert "Traceback" not in text and "\x1b" not in text and "\u202e" not in text


# --------------------------------------------------------------------------------------------- done


def test_replaying_the_real_answer_writes_the_published_values(refresh_env, snapshot_gap, capsys):
    snapshot_copy = snapshot_gap
    before = read_observations(snapshot_copy / "observations.csv")
    assert run(snapshot_copy) == 0
    out = capsys.readouterr()
    after = read_observations(snapshot_copy / "observations.csv")

    old_keys = set(before[KEY].itertuples(index=False))
    assert old_keys <= set(after[KEY].itertuples(index=False)), "nothing is ever removed"
    published = published_2023()
    got = after[(after.indicator == "employees_svb_workplace") & (after.ref_date == "2023-06-30")]
    for unit in UNITS:
        for breakdown in ("total", "foreign"):
            row = got[(got.region == unit) & (got.breakdown == breakdown)]
            assert row.value.item() == published[(unit, breakdown)], (unit, breakdown)
    row = got[(got.region == "05112") & (got.breakdown == "total")].iloc[0]
    metadata = json.loads((fake_genesis.RECORDED / "13111-01-03-4.2023-old-layout.metadata.json").read_text())
    assert row.stand == "2024-07-03" and metadata["Object"]["Updated"].startswith("26.06.2024"), (
        "Stand is the data's update, never the table definition's Updated"
    )
    assert (
        row.source_url == "https://www.regionalstatistik.de/genesis/online?operation=table&code=13111-01-03-4"
    )
    assert row.quality == "official" and row.retrieved.startswith("20")
    rvr = got[(got.region == "RVR") & (got.breakdown == "total")]
    assert rvr.value.item() == sum(published[(u, "total")] for u in UNITS)
    assert rvr.quality.item() == "derived"
    assert f"{TABLE}: geschrieben/written" in out.out and "[1/1] 13111-01-03-4" in out.out
    assert_clean(out.out + out.err + (snapshot_copy / "observations.csv").read_text())
    assert manifest_problems(snapshot_copy) == []
    for req in refresh_env.requests:  # credentials only as headers, POST form bodies
        assert fake_genesis.PASSWORD not in req["body"] + req["path"]

    # The app, restarted on the refreshed snapshot, shows 2023 with its Stand.
    store = Store.load(snapshot_copy)
    assert 2023 in store.years("employees_svb_workplace", "total")
    shown = store.cross_section("employees_svb_workplace", 2023, "total")
    assert shown["value"].notna().all() and shown["source_label"].str.contains("Stand 03.07.2024").all()


def test_values_the_service_marks_missing_stay_missing(refresh_env, snapshot_copy, capsys):
    refresh_env.vintage = "2025"  # the real 2025 answer: Kreise still "-", Germany and NRW published
    assert run(snapshot_copy) == 0
    after = read_observations(snapshot_copy / "observations.csv")
    new = after[(after.indicator == "employees_svb_workplace") & (after.ref_date == "2025-06-30")]
    assert set(new.region) == {"DG", "05"}


def test_second_run_changes_nothing(refresh_env, snapshot_gap, capsys):
    snapshot_copy = snapshot_gap
    assert run(snapshot_copy) == 0
    first = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 0
    assert fingerprint(snapshot_copy) == first
    out = capsys.readouterr().out
    assert "Keine Änderungen" in out and f"{TABLE}: unverändert/unchanged" in out


def test_dry_run_writes_nothing(refresh_env, snapshot_copy, capsys):
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy, "--dry-run") == 0
    assert fingerprint(snapshot_copy) == before
    assert "Probelauf" in capsys.readouterr().out


def test_one_failing_table_writes_nothing_unless_keep_going(refresh_env, snapshot_gap, capsys):
    snapshot_copy = snapshot_gap
    tables = (TABLE, "13211-02-05-4")  # the second has no recording: the service answers 104
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy, tables=tables) == 1
    assert fingerprint(snapshot_copy) == before
    out = capsys.readouterr()
    assert "13211-02-05-4: fehlgeschlagen/failed" in out.err and "nicht gefunden" in out.err
    assert f"{TABLE}: nicht geschrieben" in out.out and "1 von 2 Tabellen fehlgeschlagen" in out.err

    assert run(snapshot_copy, "--keep-going", tables=tables) == 1
    after = read_observations(snapshot_copy / "observations.csv")
    assert (after.ref_date == "2023-06-30").sum() > 0
    assert f"{TABLE}: geschrieben/written" in capsys.readouterr().out


def test_a_series_without_rows_fails_the_table(refresh_env, snapshot_copy, capsys):
    refresh_env.edit[TABLE] = lambda text: text.replace(";NATA;", ";NATX;")
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 1
    assert fingerprint(snapshot_copy) == before
    err = capsys.readouterr().err
    assert "employees_svb_workplace/foreign" in err and "NAT=NATX" in err and "trifft keine Zeile" in err


def test_background_job_flow(refresh_env, snapshot_copy):
    refresh_env.faults["data/tablefile"] = ["json-98"]
    assert run(snapshot_copy) == 0
    endpoints = [r["endpoint"] for r in refresh_env.requests]
    assert endpoints.count("catalogue/results") == 3 and "data/resultfile" in endpoints


def test_a_token_is_refused_for_background_jobs(refresh_env, snapshot_copy, capsys, monkeypatch):
    monkeypatch.setenv("IR_REGIO_USER", fake_genesis.TOKEN)
    monkeypatch.delenv("IR_REGIO_PASSWORD")
    refresh_env.faults["data/tablefile"] = ["json-98"]
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 1
    assert fingerprint(snapshot_copy) == before
    err = capsys.readouterr().err
    assert "persönlichen Token" in err and fake_genesis.TOKEN not in err
    assert not [r for r in refresh_env.requests if r["form"].get("job") == "true"]


def test_retry_after_500_then_success(refresh_env, snapshot_copy):
    refresh_env.faults["data/tablefile"] = ["500", "500"]
    assert run(snapshot_copy) == 0


# --------------------------------------------------------------------------------------------- faults

FAULTS = [
    ("data/tablefile", ["500", "500", "500"], "Serverfehler HTTP 500"),
    ("data/tablefile", ["html"], "HTML"),
    ("data/tablefile", ["truncated"] * 3, "unvollständig"),
    ("data/tablefile", ["truncated-zip"], "ZIP-Antwort beschädigt"),
    ("data/tablefile", ["slow"], "keine Antwort innerhalb"),
    ("data/tablefile", ["bad-layout"], "Spaltenaufbau"),
    ("data/tablefile", ["bad-value"], "unerwarteter Wert"),
    ("data/tablefile", ["trickle"], "nicht innerhalb von 2 s vollständig"),
    ("data/tablefile", ["declared-huge"], "größer als 64 MB"),
    ("data/tablefile", ["zip-bomb"], "entpackte Tabelle größer"),
    ("data/tablefile", ["not-cp1252"], "Zeichenkodierung"),
    ("data/tablefile", ["deep-json"], "Spaltenaufbau"),
    ("data/tablefile", ["ansi"], "Fehlerstatus -1"),
    ("data/tablefile", ["login-200"], "Anmeldung abgelehnt"),
]


@pytest.mark.parametrize(("endpoint", "faults", "message"), FAULTS, ids=[f[1][0] for f in FAULTS])
def test_fault_leaves_snapshot_byte_identical(refresh_env, snapshot_copy, capsys, endpoint, faults, message):
    if "zip-bomb" in faults:
        fake_genesis.zip_bomb(
            140
        )  # built before the request, so that building it does not count as a slow answer
    refresh_env.faults[endpoint] = list(faults)
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 1
    assert fingerprint(snapshot_copy) == before
    out = capsys.readouterr()
    assert message in out.err
    assert_clean(out.out + out.err)


def test_redirect_is_not_followed_with_credentials(refresh_env, snapshot_copy, capsys):
    other, thread = fake_genesis.start()  # "another host" that would receive the credentials
    try:
        refresh_env.redirect_to = other.base_url.replace("127.0.0.1", "localhost")
        refresh_env.faults["data/tablefile"] = ["redirect"]
        before = fingerprint(snapshot_copy)
        assert run(snapshot_copy) == 1
        assert fingerprint(snapshot_copy) == before
        assert other.requests == []
        assert "Umleitung (HTTP 307) nicht gefolgt" in capsys.readouterr().err
    finally:
        other.shutdown()
        other.server_close()
        thread.join(5)


def test_endless_body_is_capped(refresh_env, snapshot_copy, capsys, monkeypatch):
    monkeypatch.setattr(gc, "MAX_BODY_BYTES", 1024 * 1024)
    refresh_env.faults["data/tablefile"] = ["endless"]
    assert run(snapshot_copy) == 1
    assert "Antwort größer als 1 MB" in capsys.readouterr().err


def test_wrong_credentials(refresh_env, snapshot_copy, capsys, monkeypatch):
    monkeypatch.setenv("IR_REGIO_PASSWORD", "wrong-password-123")
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 1
    assert fingerprint(snapshot_copy) == before
    out = capsys.readouterr()
    assert "Anmeldung abgelehnt" in out.err and "wrong-password-123" not in out.out + out.err
    assert_clean(out.out + out.err)


def test_no_credentials(refresh_env, snapshot_copy, capsys, monkeypatch):
    monkeypatch.delenv("IR_REGIO_USER")
    monkeypatch.delenv("IR_REGIO_PASSWORD")
    assert run(snapshot_copy) == 1
    assert "keine Zugangsdaten" in capsys.readouterr().err


def test_bad_setting_is_one_line(refresh_env, snapshot_copy, capsys, monkeypatch):
    monkeypatch.setenv("IR_GENESIS_TIMEOUT", "-5")
    assert run(snapshot_copy) == 1
    err = capsys.readouterr().err
    assert "IR_GENESIS_TIMEOUT" in err and len(err.strip().splitlines()) == 1


def test_connection_refused(refresh_env, snapshot_copy, capsys, monkeypatch):
    monkeypatch.setenv("IR_GENESIS_REGIO_URL", "http://127.0.0.1:9/genesisws/rest/2020/")
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 1
    assert fingerprint(snapshot_copy) == before
    assert "keine Verbindung" in capsys.readouterr().err


def test_disk_full_leaves_snapshot_byte_identical(refresh_env, snapshot_gap, capsys, monkeypatch):
    snapshot_copy = snapshot_gap

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 1
    assert fingerprint(snapshot_copy) == before
    assert "No space left" in capsys.readouterr().err


def test_keyboard_interrupt_mid_update(refresh_env, snapshot_copy, capsys, monkeypatch):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(update, "parse_ffcsv", interrupt)
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 130
    assert fingerprint(snapshot_copy) == before
    assert "Abgebrochen" in capsys.readouterr().err


def test_invalid_merged_snapshot_is_not_written(refresh_env, snapshot_gap, capsys, monkeypatch):
    snapshot_copy = snapshot_gap
    monkeypatch.setattr(update, "check_snapshot", lambda *a: ["share 140 outside 0–100"])
    before = fingerprint(snapshot_copy)
    assert run(snapshot_copy) == 1
    assert fingerprint(snapshot_copy) == before
    assert "ungültig" in capsys.readouterr().err


def test_value_missing_in_new_download_keeps_old_value(refresh_env, snapshot_copy, capsys):
    assert run(snapshot_copy) == 0
    kept = read_observations(snapshot_copy / "observations.csv")
    # A later answer withholds Duisburg's total ('.'): the old value stays.
    duisburg = f";{int(published_2023()[('05112', 'total')])}\n"
    refresh_env.edit[TABLE] = lambda text: text.replace(duisburg, ";.\n", 1)
    capsys.readouterr()
    assert run(snapshot_copy) == 0
    after = read_observations(snapshot_copy / "observations.csv")
    assert len(after) == len(kept)
    sel = (after.region == "05112") & (after.indicator == "employees_svb_workplace") & (after.year == 2023)
    assert after[sel].value.tolist() == kept[sel].value.tolist()
    assert "behalten/kept" in capsys.readouterr().out
