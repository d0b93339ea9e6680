"""Typed errors of the refresh; every message is one line, German / English, and free of credentials."""

from __future__ import annotations

import re
import unicodedata

ANSI_SEQUENCE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")


class RefreshError(Exception):
    """Base class: a refresh step failed; `hint` says what the user can do."""

    default_de = "Aktualisierung fehlgeschlagen"
    default_en = "refresh failed"
    hint_de = ""
    hint_en = ""

    def __init__(self, detail_de: str = "", detail_en: str = "", *, hint_de: str = "", hint_en: str = ""):
        self.detail_de = clean_text(detail_de) or self.default_de
        self.detail_en = clean_text(detail_en or detail_de) or self.default_en
        self.hint_de = hint_de or self.hint_de
        self.hint_en = hint_en or self.hint_en
        super().__init__(self.message)

    @property
    def message(self) -> str:
        de = self.detail_de + (f" – {self.hint_de}" if self.hint_de else "")
        en = self.detail_en + (f" – {self.hint_en}" if self.hint_en else "")
        return " ".join(f"{de} / {en}".split())

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class GenesisError(RefreshError):
    """A GENESIS web service call failed."""


class GenesisConfigError(GenesisError):
    """No credentials or an unusable configuration."""

    hint_de = (
        "Zugangsdaten als IR_GENESIS_USER/IR_GENESIS_PASSWORD oder in .streamlit/secrets.toml hinterlegen"
    )
    hint_en = "set IR_GENESIS_USER/IR_GENESIS_PASSWORD or .streamlit/secrets.toml"


class GenesisAuthError(GenesisError):
    """Login rejected (HTTP 401/403 or a GENESIS login error)."""

    hint_de = "Zugangsdaten (Kennung/Token) prüfen"
    hint_en = "check user name/token and password"


class GenesisTableNotFound(GenesisError):
    """The table code does not exist in this database (GENESIS status 104 or similar)."""

    hint_de = "Tabellencode in data/refresh/tables.toml prüfen"
    hint_en = "check the table code in data/refresh/tables.toml"


class GenesisQuotaError(GenesisError):
    """Too many requests / quota exhausted (HTTP 429 or a GENESIS quota message)."""

    hint_de = "später erneut versuchen"
    hint_en = "try again later"


class GenesisServerError(GenesisError):
    """HTTP 5xx after all retries, or another unexpected HTTP status."""

    hint_de = "Dienst gestört, später erneut versuchen"
    hint_en = "service disturbed, try again later"


class GenesisTimeout(GenesisError):
    """No answer within the timeout."""

    hint_de = "später erneut versuchen oder IR_GENESIS_TIMEOUT erhöhen"
    hint_en = "try again later or raise IR_GENESIS_TIMEOUT"


class GenesisConnectionError(GenesisError):
    """No connection to the service."""

    hint_de = "Internetverbindung und Dienst-Adresse prüfen"
    hint_en = "check the internet connection and the service URL"


class GenesisJobError(GenesisError):
    """A background job (status 98/99) did not finish or could not be fetched."""

    hint_de = "später erneut versuchen"
    hint_en = "try again later"


class GenesisFormatError(GenesisError):
    """The answer is not the expected ffcsv table (HTML page, truncated body, changed layout, bad value)."""

    hint_de = "Schnappschuss unverändert; Tabellenaufbau prüfen (docs/REFRESH.md)"
    hint_en = "snapshot unchanged; check the table layout (docs/REFRESH.md)"


class BoundaryError(RefreshError):
    """The BKG boundary download or its validation failed."""

    hint_de = "Grenzen unverändert; später erneut versuchen"
    hint_en = "boundaries unchanged; try again later"


class SnapshotValidationError(RefreshError):
    """The merged snapshot failed validation; nothing was written."""

    hint_de = "Schnappschuss unverändert"
    hint_en = "snapshot unchanged"


def clean_text(text: str) -> str:
    """Upstream text made safe for a terminal: control, format (bidi) and escape characters removed, one line."""
    text = ANSI_SEQUENCE.sub("", str(text))
    kept = (" " if unicodedata.category(c) in ("Zl", "Zp") or c in "\t\r\n" else c for c in text)
    return " ".join(
        "".join(c for c in kept if unicodedata.category(c) not in ("Cc", "Cf", "Co", "Cs")).split()
    )


def scrub(text: str, secrets: list[str] | tuple[str, ...]) -> str:
    """Remove every secret from a text (defence in depth for messages and logs)."""
    for secret in secrets:
        if secret and len(secret) >= 3:
            text = text.replace(secret, "***")
    return text
