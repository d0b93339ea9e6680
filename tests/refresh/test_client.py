"""Client details: credentials never in repr, logs or messages; secrets.toml; ffcsv parsing."""

from __future__ import annotations

import logging

import pytest

from integrationsregion.genesis import client as gc
from integrationsregion.genesis.errors import GenesisAuthError, GenesisFormatError
from integrationsregion.genesis.parsers import decode_payload, parse_ffcsv, parse_value

from . import fake_genesis


def test_credentials_not_in_repr():
    creds = gc.Credentials("token-abc-123", "pw-xyz-789", source="env")
    for text in (repr(creds), str(creds), repr(gc.GenesisClient("regio", credentials=creds))):
        assert "token-abc-123" not in text and "pw-xyz-789" not in text


def test_credentials_from_secrets_toml(tmp_path, monkeypatch):
    for var in ("IR_REGIO_USER", "IR_GENESIS_USER", "IR_REGIO_TOKEN", "IR_GENESIS_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(
        '[genesis]\nuser = "general"\npassword = "p1"\n[genesis.ldbnrw]\ntoken = "nrw-token"\n'
    )
    monkeypatch.setenv("IR_SECRETS_FILE", str(secrets))
    assert gc.load_credentials("regio").user == "general"
    nrw = gc.load_credentials("ldbnrw")
    assert (nrw.user, nrw.password) == ("nrw-token", "")
    monkeypatch.setenv("IR_REGIO_USER", "env-user")
    assert gc.load_credentials("regio").user == "env-user"


def test_auth_error_and_logs_carry_no_secret(refresh_env, monkeypatch, caplog):
    refresh_env.faults["data/tablefile"] = ["500", "401"]
    caplog.set_level(logging.DEBUG)
    client = gc.GenesisClient("regio")
    with pytest.raises(GenesisAuthError) as info:
        client.tablefile("13211-02-05-4")
    text = str(info.value) + repr(info.value) + caplog.text
    assert fake_genesis.PASSWORD not in text and fake_genesis.USER not in text
    assert " / " in str(info.value)  # German / English


def test_missing_codes_are_not_zero():
    for code in ("-", ".", "x", "...", "/"):
        assert parse_value(code) is None
    assert parse_value("12,5") == 12.5
    assert parse_value("0") == 0.0
    with pytest.raises(GenesisFormatError):
        parse_value("1.234")


def test_old_german_layout_with_footer():
    text = (
        "Statistik_Code;Statistik_Label;Zeit_Code;Zeit_Label;Zeit;1_Merkmal_Code;1_Merkmal_Label;"
        "1_Auspraegung_Code;1_Auspraegung_Label;2_Merkmal_Code;2_Merkmal_Label;2_Auspraegung_Code;"
        "2_Auspraegung_Label;ERW032__Sozialversicherungspfl._Beschaeftigte_(Arbeitsort)__Anzahl\n"
        "13111;Sozialversicherungspflichtig Beschäftigte;STAG;Stichtag;30.06.2023;KREISE;Kreise und kreisfreie "
        "Städte;05112;     Duisburg, kreisfreie Stadt;NAT;Nationalität;NATA;Ausländer/-innen;1234\n"
        "__________\n© Statistische Ämter des Bundes und der Länder\n"
    )
    table = parse_ffcsv(decode_payload(text.encode("cp1252")))
    (row,) = table.rows
    assert (table.layout, row.region, row.time, row.value_variable, row.value) == (
        "v4", "05112", "30.06.2023", "ERW032", 1234.0,
    )  # fmt: skip
    assert row.classifier("NAT") == ("NATA", "Ausländer/-innen")


def test_truncated_plain_csv_row_is_rejected():
    text = fake_genesis.table_text("13211-02-05-4", {})
    cut = text[: text.rfind(";", 0, len(text) - 5)]
    with pytest.raises(GenesisFormatError, match="abgeschnitten"):
        parse_ffcsv(cut)
