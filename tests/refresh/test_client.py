"""Client and parser on real recorded answers: credentials, error shapes, background jobs, layouts."""

from __future__ import annotations

import logging

import pytest

from integrationsregion.genesis import client as gc
from integrationsregion.genesis.errors import (
    GenesisAuthError,
    GenesisConfigError,
    GenesisFormatError,
    GenesisServerError,
    GenesisTableNotFound,
    clean_text,
)
from integrationsregion.genesis.parsers import (
    Series,
    TableSpec,
    decode_payload,
    map_rows,
    parse_ffcsv,
    parse_value,
)
from integrationsregion.settings import load_settings

from . import fake_genesis

GOOD = gc.Credentials(fake_genesis.USER, fake_genesis.PASSWORD)


def recorded_table(name: str):
    return parse_ffcsv(decode_payload((fake_genesis.RECORDED / name).read_bytes()))


def spec_of(*series: Series) -> TableSpec:
    return TableSpec("T", "regio", "", "", "", "", "", "date", (), series)


def test_credentials_not_in_repr():
    creds = gc.Credentials("user-abc-123", "pw-xyz-789")
    for text in (repr(creds), str(creds), repr(gc.GenesisClient("regio", credentials=creds))):
        assert "user-abc-123" not in text and "pw-xyz-789" not in text


def test_credentials_from_settings_per_database_first(tmp_path):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[genesis]\nuser = "general"\npassword = "p1"\n[genesis.ldbnrw]\nuser = "nrw-token"\n')
    settings = load_settings({"IR_SECRETS_FILE": str(secrets)})
    assert (gc.load_credentials("regio", settings).user, gc.load_credentials("regio", settings).password) == (
        "general",
        "p1",
    )
    nrw = gc.load_credentials("ldbnrw", settings)
    assert nrw.user == "nrw-token" and nrw.is_token
    settings = load_settings({"IR_SECRETS_FILE": str(secrets), "IR_REGIO_USER": "env-user"})
    assert gc.load_credentials("regio", settings).user == "env-user"


def test_wrong_login_is_a_flat_404_and_reported_as_login(refresh_env, caplog):
    caplog.set_level(logging.DEBUG)
    client = gc.GenesisClient("regio", credentials=gc.Credentials(fake_genesis.USER, "wrong-pw-42"))
    with pytest.raises(GenesisAuthError, match="Code 2") as info:
        client.tablefile("13111-01-03-4")
    text = str(info.value) + repr(info.value) + caplog.text
    assert "wrong-pw-42" not in text and fake_genesis.USER not in text
    assert " / " in str(info.value)  # German / English
    assert "Dienst-Adresse" not in str(info.value)


def test_no_credentials_sent_is_code_15(refresh_env):
    client = gc.GenesisClient("regio", credentials=gc.Credentials("", ""))
    with pytest.raises(GenesisAuthError, match="keine Zugangsdaten übermittelt"):
        client.table_metadata("13111-01-03-4")


def test_logincheck_is_judged_by_its_text(refresh_env):
    gc.GenesisClient("regio").logincheck()
    bad = gc.GenesisClient("regio", credentials=gc.Credentials(fake_genesis.USER, "nope-123"))
    with pytest.raises(GenesisAuthError, match="Nutzernamen"):
        bad.logincheck()


def test_recorded_status_answers(refresh_env):
    client = gc.GenesisClient("genesis", credentials=GOOD)
    with pytest.raises(GenesisTableNotFound, match="Status 104"):
        client.tablefile("63121-0001")
    with pytest.raises(GenesisServerError, match="Fehlerstatus -1"):
        client.tablefile("61111-0021")
    metadata = client.table_metadata("11111-02-01-4")["Object"]
    assert metadata["Updated"].startswith("21.11.2023") and metadata["Time"]["To"] == "31.12.2024"


def test_recorded_background_job_and_spelling(refresh_env):
    download = gc.GenesisClient("genesis", credentials=GOOD).tablefile("12531-0043")
    assert download.via_job
    table = parse_ffcsv(decode_payload(download.content))
    rejected = Series("rejected_protection_status", "total", "persons", value_label="Schutzsuchende",
                      match_label="^(abgelehnt|ohne Schutzs?status)")  # fmt: skip
    _, problems, matched = map_rows(spec_of(rejected), table, {"05112"})
    # The recording has no total over sex/citizenship: the series is empty, which the update reports.
    assert not problems and matched[rejected] == 0
    labels = {lab for r in table.rows for _, _, lab in r.classifiers}
    assert "Ohne Schutzsstatus" in labels  # sic, as the service spells it


def test_token_cannot_start_a_background_job(refresh_env):
    client = gc.GenesisClient("genesis", credentials=gc.Credentials(fake_genesis.TOKEN, ""))
    with pytest.raises(GenesisConfigError, match="persönlichen Token"):
        client.tablefile("12531-0043")
    assert not [r for r in refresh_env.requests if r["form"].get("job") == "true"]


def test_get_is_not_allowed_on_the_fake_as_on_the_service(refresh_env):
    import requests

    assert requests.get(refresh_env.base_url + "data/tablefile", timeout=5).status_code == 405


def test_old_and_new_layout_of_the_same_table():
    old = recorded_table("13111-01-03-4.2023-old-layout.csv")
    new = recorded_table("13111-01-03-4.2025.ffcsv")
    assert (old.layout, new.layout) == ("v4", "v5")
    foreign = Series(
        "employees_svb_workplace", "foreign", "persons", value_variable="ERW032", select=(("NAT", "NATA"),)
    )
    for table, ref_date in ((old, "2023-06-30"), (new, "2025-06-30")):
        found, _, matched = map_rows(spec_of(foreign), table, {"05112", "DG"})
        assert matched[foreign] > 0 and ("DG", "employees_svb_workplace", "foreign", ref_date) in found
    # 2025: the Kreise are still "-" (missing, never zero)
    found, _, _ = map_rows(spec_of(foreign), new, {"05112"})
    assert found[("05112", "employees_svb_workplace", "foreign", "2025-06-30")][1] is None


def test_explicit_total_codes_and_period_times():
    text = (fake_genesis.RECORDED / "13111-01-03-4.2025.ffcsv").read_text(encoding="utf-8")
    header, line = text.splitlines()[:2]  # DG, NATA, GES total
    newer = line.replace(";NAT;", ";NAT01;").replace(";GES;Geschlecht;;", ";GES;Geschlecht;INSGESAMT;")
    newer = newer.replace("2025-06-30", "2023-10P6M")
    table = parse_ffcsv(f"{header}\n{newer}\n")
    foreign = Series(
        "employees_svb_workplace", "foreign", "persons", value_variable="ERW032", select=(("NAT", "NATA"),)
    )
    found, _, matched = map_rows(spec_of(foreign), table, {"DG"})
    assert matched[foreign] == 1 and ("DG", "employees_svb_workplace", "foreign", "2023-10P6M") in found


def test_header_only_level_is_an_empty_table():
    header = (fake_genesis.RECORDED / "13111-01-03-4.2025.ffcsv").read_text(encoding="utf-8").splitlines()[0]
    assert parse_ffcsv(header + "\n").rows == []


def test_missing_codes_are_not_zero():
    for code in ("-", ".", "x", "...", "/"):
        assert parse_value(code) is None
    assert parse_value("12,5") == 12.5
    assert parse_value("0") == 0.0
    with pytest.raises(GenesisFormatError):
        parse_value("1.234")


def test_truncated_row_is_rejected():
    text = (fake_genesis.RECORDED / "13111-01-03-4.2025.ffcsv").read_text(encoding="utf-8")
    cut = text[: text.rfind(";", 0, len(text) - 5)]
    with pytest.raises(GenesisFormatError, match="abgeschnitten"):
        parse_ffcsv(cut)


def test_upstream_text_is_cleaned():
    assert clean_text("a\x1b[2Jb\u202ec\nd\x00\x1b]0;title\x07e") == "abc de"


def test_deeply_nested_json_is_one_error(refresh_env):
    refresh_env.faults["metadata/table"] = ["deep-json"]
    with pytest.raises(GenesisFormatError, match="kein JSON"):
        gc.GenesisClient("regio").table_metadata("13111-01-03-4")
