"""A thin `requests` client for the GENESIS web services (REST API version "2020").

Regionaldatenbank Deutschland, GENESIS-Online (Destatis) and the Landesdatenbank NRW share the interface:
POST with a form body, credentials in the headers `username` / `password` (a personal token goes into
`username` with an empty password). `data/tablefile` with `format=ffcsv` answers with a ZIP holding one
flat CSV (or the CSV itself); a JSON body carries a `Status` block instead (98: too large, run as a
background job; 99: job started, fetch the result via `catalogue/results` + `data/resultfile`; 104: no
such object). Errors of the login come as a *flat* body `{"Code": 2, "Content": …}` with HTTP 404 (wrong
login), 401 (`Code` 15, no credentials) or 200 (facts: `../shared/genesis-recorded/README.md`).

Hardening: no redirects are followed (credentials must not travel to another host); every download has a
total deadline and a size cap; upstream texts are cleaned of control and bidi characters. Credentials
never leave this module except as request headers: not logged, not in any message, not in `repr`.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
import urllib3
from tqdm import tqdm

from integrationsregion.genesis.errors import (
    GenesisAuthError,
    GenesisConfigError,
    GenesisConnectionError,
    GenesisError,
    GenesisFormatError,
    GenesisJobError,
    GenesisQuotaError,
    GenesisServerError,
    GenesisTableNotFound,
    GenesisTimeout,
    clean_text,
    scrub,
)
from integrationsregion.settings import Settings, get_settings

log = logging.getLogger(__name__)

USER_AGENT = "integrationsregion-ruhr-refresh/0.2 (+python-requests)"
MAX_BODY_BYTES = 64 * 1024 * 1024
"""Largest answer accepted on the wire (the largest recorded one, 12531-0043 as ZIP, is 3.2 MB)."""
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Database:
    """One GENESIS database: default URL, its settings fields and the portal page of a table."""

    key: str
    label: str
    default_url: str
    url_setting: str  # field of Settings
    cred_setting: str  # prefix of the Settings fields `<prefix>_user` / `<prefix>_password`
    portal: str  # table page a person can open, {table} = table code


DATABASES: dict[str, Database] = {
    "regio": Database(
        "regio",
        "Regionaldatenbank Deutschland",
        "https://www.regionalstatistik.de/genesisws/rest/2020/",
        "genesis_regio_url",
        "regio",
        "https://www.regionalstatistik.de/genesis/online?operation=table&code={table}",
    ),
    "genesis": Database(
        "genesis",
        "GENESIS-Online (Destatis)",
        "https://www-genesis.destatis.de/genesisWS/rest/2020/",
        "genesis_destatis_url",
        "destatis",
        "https://www-genesis.destatis.de/genesis/online?operation=table&code={table}",
    ),
    "ldbnrw": Database(
        "ldbnrw",
        "Landesdatenbank NRW (IT.NRW)",
        "https://www.landesdatenbank.nrw.de/ldbnrwws/rest/2020/",
        "genesis_ldbnrw_url",
        "ldbnrw",
        "https://www.landesdatenbank.nrw.de/ldbnrw/online?operation=table&code={table}",
    ),
}

# GENESIS status codes (JSON `Status.Code`, or `Code` of a flat body) with a meaning for this client.
STATUS_OK = (0, 22)  # 22 = "erfolgreich mit Parameteranpassung" (warning)
STATUS_TOO_LARGE = 98  # run as background job
STATUS_JOB_STARTED = 99  # job created; the result name is in Status.Content
STATUS_NOT_FOUND = 104  # "Es gibt keine Objekte zum angegebenen Selektionskriterium"
CODE_BAD_LOGIN = 2  # flat body, HTTP 404 (or 200)
CODE_NO_LOGIN = 15  # flat body, HTTP 401

JOB_NAME = re.compile(r"([0-9A-Za-z][0-9A-Za-z.\-]*_\d{3,})")
QUOTA_WORDS = ("kontingent", "quota", "zu viele", "too many")


@dataclass(frozen=True)
class Credentials:
    """User (or personal token, then the password is empty); `repr` never shows them."""

    user: str = field(repr=False)
    password: str = field(repr=False, default="")

    def __repr__(self) -> str:
        return f"Credentials(user='***', password='***', token={self.is_token})"

    __str__ = __repr__

    @property
    def is_token(self) -> bool:
        """A personal token is given as user with an empty password; it cannot run background jobs."""
        return not self.password

    def headers(self) -> dict[str, str]:
        return {"username": self.user, "password": self.password}

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.user, self.password) if s)


def load_credentials(database: str, settings: Settings | None = None) -> Credentials | None:
    """The database's own user/password (`IR_REGIO_USER`, …), else the general `IR_GENESIS_USER`/`…_PASSWORD`
    (environment or secrets file, see docs/SETTINGS.md)."""
    settings = settings or get_settings()
    prefix = DATABASES[database].cred_setting
    for user, password in (
        (getattr(settings, f"{prefix}_user"), getattr(settings, f"{prefix}_password")),
        (settings.genesis_user, settings.genesis_password),
    ):
        if user:
            return Credentials(user, password or "")
    return None


def base_url_for(database: str, settings: Settings | None = None) -> str:
    db = DATABASES[database]
    url = getattr(settings or get_settings(), db.url_setting) or db.default_url
    return url if url.endswith("/") else url + "/"


@dataclass
class Download:
    """The raw answer of a table download."""

    name: str
    content: bytes
    content_type: str
    retrieved: str  # ISO timestamp (UTC)
    via_job: bool = False


def status_block(body: Any) -> dict[str, Any] | None:
    """The GENESIS status of a JSON answer: the `Status` envelope, or a flat `{Code, Content, Type}` body.

    `helloworld/logincheck` has a string `Status`; it is returned as `{"Content": <text>}`.
    """
    if not isinstance(body, dict):
        return None
    status = body.get("Status")
    if isinstance(status, dict):
        return status
    if isinstance(status, str):
        return {"Content": status}
    if "Code" in body and "Content" in body and not isinstance(body.get("Object"), dict):
        return body
    return None


def _code(status: dict[str, Any]) -> int | None:
    try:
        return int(status.get("Code"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


class GenesisClient:
    """Calls of one GENESIS database. Raises only `GenesisError` subclasses."""

    def __init__(
        self,
        database: str = "regio",
        *,
        credentials: Credentials | None = None,
        settings: Settings | None = None,
        retries: int = 3,
        session: requests.Session | None = None,
    ):
        if database not in DATABASES:
            raise GenesisConfigError(f"unbekannte Datenbank {database!r}", f"unknown database {database!r}")
        settings = settings or get_settings()
        self.database = DATABASES[database]
        self.base_url = base_url_for(database, settings)
        self._credentials = credentials if credentials is not None else load_credentials(database, settings)
        self.deadline = settings.genesis_timeout
        self.retries = max(1, retries)
        self.backoff = settings.genesis_backoff
        self.job_poll_interval = settings.genesis_job_poll
        self.job_timeout = settings.genesis_job_timeout
        self._session = session or requests.Session()
        self._session.trust_env = False  # no .netrc credentials, no proxy surprises

    def __repr__(self) -> str:
        return f"GenesisClient(database={self.database.key!r}, base_url={self.base_url!r})"

    # -- public calls -------------------------------------------------------------------------------

    def logincheck(self) -> None:
        """`helloworld/logincheck`: HTTP 200 for good and bad logins alike, so its text is judged."""
        body = self._json(self._post("helloworld/logincheck", {"language": "de"}))
        status = status_block(body) or {}
        text = clean_text(str(status.get("Content", "")))[:160]
        if _code(status) is not None:
            self._check_status(status, "logincheck")  # a flat {Code: 2 | 15} body
        if "erfolgreich" not in text.lower():
            raise GenesisAuthError(
                f"{self.database.label}: Anmeldung abgelehnt ({scrub(text, self._secrets())})",
                f"{self.database.label}: login rejected",
            )

    def table_metadata(self, name: str) -> dict[str, Any]:
        """`metadata/table`: title, time span, structure (its `Updated` is *not* the data's Stand)."""
        body = self._json(self._post("metadata/table", {"name": name, "area": "all", "language": "de"}))
        self._check_status(status_block(body) or {}, name)
        if not isinstance(body.get("Object"), dict):
            raise GenesisFormatError(f"Metadaten zu {name} ohne Objekt", f"metadata of {name} without object")
        return body

    def data_updates(self, statistic: str) -> list[dict[str, Any]]:
        """`catalogue/modifieddata`: the data updates of a statistic (entries with `Code`, `Date`)."""
        form = {
            "selection": statistic,
            "type": "Neue Statistik-Updates",
            "date": "01.01.1970",
            "pagelength": "500",
            "language": "de",
        }
        body = self._json(self._post("catalogue/modifieddata", form))
        status = status_block(body) or {}
        if _code(status) == STATUS_NOT_FOUND:
            return []
        self._check_status(status, statistic)
        return [e for e in body.get("List") or [] if isinstance(e, dict)]

    def tablefile(
        self,
        name: str,
        *,
        startyear: int | str | None = None,
        endyear: int | str | None = None,
        regionalvariable: str | None = None,
        regionalkey: str | None = None,
    ) -> Download:
        """`data/tablefile` as ffcsv; follows the background-job path (status 98/99) when needed."""
        form = {
            "name": name,
            "area": "all",
            "format": "ffcsv",
            "language": "de",
            "compress": "false",
            "quality": "off",
            "job": "false",
            "startyear": "" if startyear is None else str(startyear),
            "endyear": "" if endyear is None else str(endyear),
            "regionalvariable": regionalvariable or "",
            "regionalkey": regionalkey or "",
        }
        response = self._post("data/tablefile", form)
        status = self._status_of(response)
        if status is None:
            return self._download(name, response)
        code = self._check_status(status, name)
        if code == STATUS_TOO_LARGE:
            if self._credentials is not None and self._credentials.is_token:
                raise GenesisConfigError(
                    f"{self.database.label}: {name} ist zu groß für den direkten Abruf; Hintergrundaufträge "
                    "(job=true) gehen nicht mit einem persönlichen Token",
                    f"{self.database.label}: {name} is too large for a direct download; background jobs "
                    "(job=true) do not work with a personal token",
                    hint_de="Kennung und Passwort statt Token hinterlegen (docs/REFRESH.md)",
                    hint_en="configure user name and password instead of a token (docs/REFRESH.md)",
                )
            log.info("table %s too large, starting background job", name)
            response = self._post("data/tablefile", {**form, "job": "true"})
            status = self._status_of(response)
            if status is None:
                return self._download(name, response)
            code = self._check_status(status, name)
        if code == STATUS_JOB_STARTED:
            return self._fetch_job(name, self._job_name(status, name))
        raise GenesisFormatError(
            f"{name}: JSON-Status {code} statt Tabelle", f"{name}: JSON status {code} instead of a table"
        )

    # -- background jobs ----------------------------------------------------------------------------

    def _job_name(self, status: dict[str, Any], name: str) -> str:
        match = JOB_NAME.search(str(status.get("Content", "")))
        if not match:
            raise GenesisJobError(
                f"{name}: Hintergrundauftrag ohne Ergebnisnamen",
                f"{name}: background job without result name",
            )
        return match.group(1)

    def _fetch_job(self, name: str, job: str) -> Download:
        deadline = time.monotonic() + self.job_timeout
        while True:
            form = {"selection": job, "area": "user", "pagelength": "1", "language": "de"}
            listing = self._json(self._post("catalogue/results", form))
            status = status_block(listing) or {}
            if _code(status) != STATUS_NOT_FOUND:
                self._check_status(status, name)
            entries = listing.get("List") or []
            if any(isinstance(e, dict) and e.get("Code") == job for e in entries):
                break
            if time.monotonic() >= deadline:
                raise GenesisJobError(
                    f"{name}: Hintergrundauftrag {job} nach {self.job_timeout:.0f} s nicht fertig",
                    f"{name}: background job {job} not finished after {self.job_timeout:.0f} s",
                )
            time.sleep(self.job_poll_interval)
        form = {"name": job, "area": "all", "format": "ffcsv", "language": "de", "compress": "false"}
        response = self._post("data/resultfile", form)
        status = self._status_of(response)
        if status is not None:
            self._check_status(status, name)
            raise GenesisJobError(
                f"{name}: Ergebnis {job} nicht abrufbar", f"{name}: result {job} not available"
            )
        download = self._download(name, response)
        download.via_job = True
        return download

    # -- HTTP ---------------------------------------------------------------------------------------

    def _secrets(self) -> tuple[str, ...]:
        return self._credentials.secrets() if self._credentials else ()

    def _post(self, path: str, form: dict[str, str]) -> requests.Response:
        if self._credentials is None:
            prefix = f"IR_{self.database.cred_setting.upper()}"
            raise GenesisConfigError(
                f"keine Zugangsdaten für {self.database.label}",
                f"no credentials for {self.database.label}",
                hint_de=f"{prefix}_USER/_PASSWORD oder IR_GENESIS_USER/_PASSWORD setzen "
                "(oder [genesis] in der Secrets-Datei, docs/SETTINGS.md)",
                hint_en=f"set {prefix}_USER/_PASSWORD or IR_GENESIS_USER/_PASSWORD "
                "(or [genesis] in the secrets file, docs/SETTINGS.md)",
            )
        url = self.base_url + path
        headers = {
            **self._credentials.headers(),
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": USER_AGENT,
            "Accept": "*/*",
        }
        last: GenesisError | None = None
        for attempt in range(1, self.retries + 1):
            if attempt > 1:
                time.sleep(self.backoff * 2 ** (attempt - 2))
            try:
                response = self._request(url, form, headers, path)
            except _Retry as retry:
                last = retry.error
                continue
            if 500 <= response.status_code < 600:
                last = GenesisServerError(
                    f"{self.database.label}: Serverfehler HTTP {response.status_code} ({path}, {attempt} Versuche)",
                    f"{self.database.label}: server error HTTP {response.status_code} ({path}, {attempt} attempts)",
                )
                log.warning("HTTP %s from %s (attempt %s)", response.status_code, path, attempt)
                continue
            self._check_http(response, path)
            return response
        assert last is not None
        raise last

    def _request(
        self, url: str, form: dict[str, str], headers: dict[str, str], path: str
    ) -> requests.Response:
        """One POST, body read within the total deadline and the size cap; never follows a redirect."""
        label = self.database.label
        try:
            response = self._session.post(
                url,
                data=form,
                headers=headers,
                timeout=(min(10.0, self.deadline), self.deadline),
                allow_redirects=False,
                stream=True,
            )
            with response:
                response._content = self._read_body(response, path, time.monotonic())
        except requests.exceptions.ConnectTimeout:
            raise _Retry(
                GenesisConnectionError(
                    f"{label}: Verbindungsaufbau zu {self._host()} dauerte zu lange",
                    f"{label}: connecting to {self._host()} timed out",
                )
            ) from None
        except (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError):
            raise GenesisTimeout(
                f"{label}: keine Antwort innerhalb von {self.deadline:g} s ({path})",
                f"{label}: no answer within {self.deadline:g} s ({path})",
            ) from None
        except requests.exceptions.ConnectionError as exc:
            raise _Retry(
                GenesisConnectionError(
                    f"{label}: keine Verbindung zu {self._host()} ({type(exc).__name__})",
                    f"{label}: no connection to {self._host()} ({type(exc).__name__})",
                )
            ) from None
        except (
            requests.exceptions.RequestException,
            urllib3.exceptions.HTTPError,
            OSError,
            ValueError,
        ) as exc:
            # Truncated or undecodable transfers (ProtocolError, DecodeError, IncompleteRead …).
            raise _Retry(
                GenesisFormatError(
                    f"{label}: Antwort unvollständig oder fehlerhaft übertragen ({path}, {type(exc).__name__})",
                    f"{label}: answer truncated or damaged in transfer ({path}, {type(exc).__name__})",
                )
            ) from None
        response._content_consumed = True
        return response

    def _read_body(self, response: requests.Response, path: str, started: float) -> bytes:
        """The body, read in chunks as they arrive: stops at the total deadline and at the size cap."""
        label = self.database.label
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
            raise _too_large(label, path)
        body = bytearray()
        total = int(declared) if declared.isdigit() else None
        # The progress bar shows only on a terminal (disable=None).
        with tqdm(
            total=total, desc=path, unit="B", unit_scale=True, leave=False, disable=None, file=sys.stderr
        ) as bar:
            while chunk := response.raw.read1(CHUNK, decode_content=True):
                if time.monotonic() - started > self.deadline:
                    raise GenesisTimeout(
                        f"{label}: Antwort nicht innerhalb von {self.deadline:g} s vollständig ({path})",
                        f"{label}: answer not complete within {self.deadline:g} s ({path})",
                    )
                body += chunk
                bar.update(len(chunk))
                if len(body) > MAX_BODY_BYTES:
                    raise _too_large(label, path)
        return bytes(body)

    def _host(self) -> str:
        return re.sub(r"^[a-z]+://", "", self.base_url).split("/")[0]

    def _check_http(self, response: requests.Response, path: str) -> None:
        code = response.status_code
        label = self.database.label
        if 300 <= code < 400:
            raise GenesisServerError(
                f"{label}: Umleitung (HTTP {code}) nicht gefolgt – Zugangsdaten gehen nur an {self._host()}",
                f"{label}: redirect (HTTP {code}) not followed – credentials go only to {self._host()}",
                hint_de="Dienst-Adresse prüfen (IR_GENESIS_*_URL)",
                hint_en="check the service URL (IR_GENESIS_*_URL)",
            )
        if code == 429:
            raise GenesisQuotaError(
                f"{label}: zu viele Anfragen (HTTP 429)", f"{label}: too many requests (HTTP 429)"
            )
        if code >= 400:
            status = self._status_of(response)
            if status is not None:
                self._check_status(status, path)
            if code in (401, 403):
                raise GenesisAuthError(
                    f"{label}: Anmeldung abgelehnt (HTTP {code})", f"{label}: login rejected (HTTP {code})"
                )
            raise GenesisServerError(
                f"{label}: unerwartete Antwort HTTP {code} ({path})",
                f"{label}: unexpected answer HTTP {code} ({path})",
                hint_de="Dienst-Adresse prüfen (IR_GENESIS_*_URL)",
                hint_en="check the service URL (IR_GENESIS_*_URL)",
            )

    def _status_of(self, response: requests.Response) -> dict[str, Any] | None:
        """The GENESIS status if the answer is a JSON status document, else None (a table file)."""
        ctype = response.headers.get("Content-Type", "").lower()
        head = response.content[:1] if response.content else b""
        if "json" not in ctype and head != b"{":
            return None
        try:
            body = self._json(response)
        except GenesisFormatError:
            return None
        return status_block(body)

    def _json(self, response: requests.Response) -> dict[str, Any]:
        label = self.database.label
        try:
            body = json.loads(response.content.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise GenesisFormatError(
                f"{label}: Antwort ist kein JSON", f"{label}: answer is not JSON"
            ) from None
        if not isinstance(body, dict):
            raise GenesisFormatError(f"{label}: unerwartete JSON-Antwort", f"{label}: unexpected JSON")
        return body

    def _check_status(self, status: dict[str, Any], name: str) -> int:
        """Map a GENESIS status to an error; return the code when it is not an error."""
        code = _code(status)
        code = -1 if code is None else code
        kind = clean_text(str(status.get("Type", ""))).lower()
        content = scrub(clean_text(str(status.get("Content", "")))[:200], self._secrets())
        label = self.database.label
        if code in STATUS_OK or code in (STATUS_TOO_LARGE, STATUS_JOB_STARTED):
            if code == 22:
                log.warning("%s: %s", name, content)
            return code
        if code == CODE_BAD_LOGIN:
            raise GenesisAuthError(
                f"{label}: Anmeldung abgelehnt – Kennung/Token oder Passwort falsch (Code 2)",
                f"{label}: login rejected – wrong user/token or password (code 2)",
            )
        if code == CODE_NO_LOGIN:
            raise GenesisAuthError(
                f"{label}: keine Zugangsdaten übermittelt (Code 15)",
                f"{label}: no credentials sent (code 15)",
            )
        if code == STATUS_NOT_FOUND:
            raise GenesisTableNotFound(
                f"{label}: {name} nicht gefunden (Status 104: {content})",
                f"{label}: {name} not found (status 104)",
            )
        if any(w in content.lower() for w in QUOTA_WORDS):
            raise GenesisQuotaError(
                f"{label}: Abrufkontingent erschöpft (Status {code})",
                f"{label}: quota exhausted (status {code})",
            )
        if kind in ("information", "warnung", "warning") and code >= 0:
            return code
        raise GenesisServerError(
            f"{label}: {name}: Fehlerstatus {code} ({content})", f"{label}: {name}: error status {code}"
        )

    def _download(self, name: str, response: requests.Response) -> Download:
        if not response.content:
            raise GenesisFormatError(f"{name}: leere Antwort", f"{name}: empty answer")
        return Download(
            name=name,
            content=response.content,
            content_type=clean_text(response.headers.get("Content-Type", "")),
            retrieved=datetime.now(UTC).replace(microsecond=0).isoformat(),
        )


class _Retry(Exception):
    """A failed attempt that may succeed when repeated (carries the error to raise after the last one)."""

    def __init__(self, error: GenesisError):
        super().__init__(error.message)
        self.error = error


def _too_large(label: str, path: str) -> GenesisFormatError:
    return GenesisFormatError(
        f"{label}: Antwort größer als {MAX_BODY_BYTES // 2**20} MB – abgebrochen ({path})",
        f"{label}: answer larger than {MAX_BODY_BYTES // 2**20} MB – aborted ({path})",
    )
