"""A thin `requests` client for the GENESIS web services (REST API version "2020").

Regionaldatenbank Deutschland, GENESIS-Online (Destatis) and the Landesdatenbank NRW share the interface:
POST with a form body, credentials in the headers `username` / `password` (an API token goes into
`username` with an empty password). `data/tablefile` with `format=ffcsv` answers with a ZIP holding one
flat CSV (or the CSV itself); a JSON body carries a `Status` block instead (e.g. code 98: too large, run
as a background job; 99: job started, fetch the result later via `catalogue/results` + `data/resultfile`).

Credentials never leave this module except as request headers: they are not logged, not part of any
exception message and not shown by `repr`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests

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
    scrub,
)

log = logging.getLogger(__name__)

REPO_DIR = Path(__file__).resolve().parents[3]
USER_AGENT = "integrationsregion-ruhr-refresh/0.1 (+python-requests)"


@dataclass(frozen=True)
class Database:
    """One GENESIS database: default URL, env override and credential prefix."""

    key: str
    label: str
    default_url: str
    url_env: str
    cred_prefix: str
    portal: str  # official table page, {table} = table code


DATABASES: dict[str, Database] = {
    "regio": Database(
        "regio",
        "Regionaldatenbank Deutschland",
        "https://www.regionalstatistik.de/genesisws/rest/2020/",
        "IR_GENESIS_REGIO_URL",
        "IR_REGIO",
        "https://www.regionalstatistik.de/genesis/online?operation=table&code={table}",
    ),
    "genesis": Database(
        "genesis",
        "GENESIS-Online (Destatis)",
        "https://www-genesis.destatis.de/genesisWS/rest/2020/",
        "IR_GENESIS_DESTATIS_URL",
        "IR_DESTATIS",
        "https://www-genesis.destatis.de/genesis/online?operation=table&code={table}",
    ),
    "ldbnrw": Database(
        "ldbnrw",
        "Landesdatenbank NRW (IT.NRW)",
        "https://www.landesdatenbank.nrw.de/ldbnrwws/rest/2020/",
        "IR_GENESIS_LDBNRW_URL",
        "IR_LDBNRW",
        "https://www.landesdatenbank.nrw.de/ldbnrwws/online?operation=table&code={table}",
    ),
}

# GENESIS status codes (JSON `Status.Code`) with a meaning for this client.
STATUS_OK = (0, 22)  # 22 = "erfolgreich mit Parameteranpassung" (warning)
STATUS_TOO_LARGE = 98  # run as background job
STATUS_JOB_STARTED = 99  # job created; the result name is in Status.Content
STATUS_NOT_FOUND = 104  # "Kein passendes Objekt zu Suche"

JOB_NAME = re.compile(r"([0-9A-Za-z][0-9A-Za-z.\-]*_\d{3,})")
AUTH_WORDS = ("anmeld", "passwort", "password", "login", "benutzer", "kennung", "token", "credential")
QUOTA_WORDS = ("kontingent", "quota", "zu viele", "too many", "limit")
NOT_FOUND_WORDS = ("nicht gefunden", "not found", "existiert nicht", "does not exist", "kein passendes")


@dataclass(frozen=True)
class Credentials:
    """User (or API token) and password; `repr` never shows them."""

    user: str = field(repr=False)
    password: str = field(repr=False, default="")
    source: str = ""

    def __repr__(self) -> str:
        return f"Credentials(user='***', password='***', source={self.source!r})"

    __str__ = __repr__

    def headers(self) -> dict[str, str]:
        return {"username": self.user, "password": self.password}

    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.user, self.password) if s)


def secrets_file() -> Path:
    """`.streamlit/secrets.toml` of the checkout, or `IR_SECRETS_FILE`."""
    return Path(os.environ.get("IR_SECRETS_FILE", REPO_DIR / ".streamlit" / "secrets.toml"))


def load_credentials(database: str, env: dict[str, str] | None = None) -> Credentials | None:
    """Credentials for a database: env per database, env general, then secrets.toml (read with tomllib).

    Order: `IR_<DB>_USER`/`IR_<DB>_PASSWORD` (e.g. `IR_REGIO_USER`), `IR_GENESIS_USER`/`IR_GENESIS_PASSWORD`,
    then `[genesis.<db>]` and `[genesis]` in `.streamlit/secrets.toml` (keys `user` or `token`, `password`).
    """
    env = os.environ if env is None else env
    db = DATABASES[database]
    for prefix in (db.cred_prefix, "IR_GENESIS"):
        user = env.get(f"{prefix}_USER") or env.get(f"{prefix}_TOKEN")
        if user:
            return Credentials(user, env.get(f"{prefix}_PASSWORD", ""), source=f"env {prefix}_USER")
    path = secrets_file()
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise GenesisConfigError(
                f"{path.name} nicht lesbar ({type(exc).__name__})",
                f"{path.name} not readable ({type(exc).__name__})",
            ) from None
        section = data.get("genesis", {})
        for block in (section.get(database, {}), section):
            if isinstance(block, dict):
                user = block.get("user") or block.get("token")
                if isinstance(user, str) and user:
                    return Credentials(user, str(block.get("password", "")), source=f"{path.name}")
    return None


def base_url_for(database: str, env: dict[str, str] | None = None) -> str:
    env = os.environ if env is None else env
    db = DATABASES[database]
    url = env.get(db.url_env) or db.default_url
    return url if url.endswith("/") else url + "/"


@dataclass
class Download:
    """The raw answer of a table download."""

    name: str
    content: bytes
    content_type: str
    url: str  # endpoint URL without credentials
    retrieved: str  # ISO timestamp (UTC)
    via_job: bool = False


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


class GenesisClient:
    """Calls of one GENESIS database. Raises only `GenesisError` subclasses."""

    def __init__(
        self,
        database: str = "regio",
        *,
        credentials: Credentials | None = None,
        base_url: str | None = None,
        timeout: tuple[float, float] | None = None,
        retries: int = 3,
        backoff: float | None = None,
        job_poll_interval: float | None = None,
        job_timeout: float | None = None,
        session: requests.Session | None = None,
    ):
        if database not in DATABASES:
            raise GenesisConfigError(f"unbekannte Datenbank {database!r}", f"unknown database {database!r}")
        self.database = DATABASES[database]
        self.base_url = base_url or base_url_for(database)
        self._credentials = credentials if credentials is not None else load_credentials(database)
        read_timeout = _env_float("IR_GENESIS_TIMEOUT", 120.0)
        self.timeout = timeout or (min(10.0, read_timeout), read_timeout)
        self.retries = max(1, retries)
        self.backoff = _env_float("IR_GENESIS_BACKOFF", 1.0) if backoff is None else backoff
        self.job_poll_interval = (
            _env_float("IR_GENESIS_JOB_POLL", 5.0) if job_poll_interval is None else job_poll_interval
        )
        self.job_timeout = _env_float("IR_GENESIS_JOB_TIMEOUT", 900.0) if job_timeout is None else job_timeout
        self._session = session or requests.Session()

    def __repr__(self) -> str:
        return f"GenesisClient(database={self.database.key!r}, base_url={self.base_url!r})"

    # -- public calls -------------------------------------------------------------------------------

    def logincheck(self) -> dict[str, Any]:
        return self._json(self._post("helloworld/logincheck", {"language": "de"}))

    def table_metadata(self, name: str) -> dict[str, Any]:
        """`metadata/table`: title, time span and `Updated` (the table's Stand)."""
        body = self._json(self._post("metadata/table", {"name": name, "area": "all", "language": "de"}))
        self._check_status(body, name)
        if not isinstance(body.get("Object"), dict):
            raise GenesisFormatError(f"Metadaten zu {name} ohne Objekt", f"metadata of {name} without object")
        return body

    def tablefile(
        self,
        name: str,
        *,
        startyear: int | str | None = None,
        endyear: int | str | None = None,
        regionalvariable: str | None = None,
        regionalkey: str | None = None,
        area: str = "all",
        extra: dict[str, str] | None = None,
    ) -> Download:
        """`data/tablefile` as ffcsv; follows the background-job path (status 98/99) when needed."""
        form = {
            "name": name,
            "area": area,
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
        form.update(extra or {})
        response = self._post("data/tablefile", form)
        status = self._status_of(response)
        if status is None:
            return self._download(name, response)
        code = self._check_status(status, name)
        if code == STATUS_TOO_LARGE:
            log.info("table %s too large, starting background job", name)
            response = self._post("data/tablefile", {**form, "job": "true"})
            status = self._status_of(response)
            if status is None:
                return self._download(name, response)
            code = self._check_status(status, name)
        if code == STATUS_JOB_STARTED:
            job = self._job_name(status, name)
            return self._fetch_job(name, job)
        raise GenesisFormatError(
            f"{name}: JSON-Status {code} statt Tabelle",
            f"{name}: JSON status {code} instead of a table",
        )

    # -- background jobs ----------------------------------------------------------------------------

    def _job_name(self, status: dict[str, Any], name: str) -> str:
        content = str(status.get("Status", {}).get("Content", ""))
        match = JOB_NAME.search(content)
        if not match:
            raise GenesisJobError(
                f"{name}: Hintergrundauftrag ohne Ergebnisnamen",
                f"{name}: background job without result name",
            )
        return match.group(1)

    def _fetch_job(self, name: str, job: str) -> Download:
        deadline = time.monotonic() + self.job_timeout
        while True:
            listing = self._json(
                self._post(
                    "catalogue/results",
                    {"selection": job, "area": "all", "pagelength": "100", "language": "de"},
                )
            )
            code = listing.get("Status", {}).get("Code", 0)
            if code not in (0, 22, STATUS_NOT_FOUND):
                self._check_status(listing, name)
            entries = listing.get("List") or []
            if any(
                isinstance(e, dict)
                and e.get("Code") == job
                and str(e.get("State", "Fertig")).lower() in ("fertig", "finished", "done", "")
                for e in entries
            ):
                break
            if time.monotonic() >= deadline:
                raise GenesisJobError(
                    f"{name}: Hintergrundauftrag {job} nach {self.job_timeout:.0f} s nicht fertig",
                    f"{name}: background job {job} not finished after {self.job_timeout:.0f} s",
                )
            time.sleep(self.job_poll_interval)
        response = self._post(
            "data/resultfile",
            {"name": job, "area": "all", "format": "ffcsv", "language": "de", "compress": "false"},
        )
        status = self._status_of(response)
        if status is not None:
            self._check_status(status, name)
            raise GenesisJobError(
                f"{name}: Ergebnis {job} nicht abrufbar", f"{name}: result {job} could not be fetched"
            )
        download = self._download(name, response)
        download.via_job = True
        return download

    # -- HTTP ---------------------------------------------------------------------------------------

    def _secrets(self) -> tuple[str, ...]:
        return self._credentials.secrets() if self._credentials else ()

    def _post(self, path: str, form: dict[str, str]) -> requests.Response:
        if self._credentials is None:
            raise GenesisConfigError(
                f"keine Zugangsdaten für {self.database.label}",
                f"no credentials for {self.database.label}",
                hint_de=f"{self.database.cred_prefix}_USER/_PASSWORD oder IR_GENESIS_USER/_PASSWORD setzen "
                "oder .streamlit/secrets.toml [genesis] anlegen",
                hint_en=f"set {self.database.cred_prefix}_USER/_PASSWORD or IR_GENESIS_USER/_PASSWORD "
                "or .streamlit/secrets.toml [genesis]",
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
                response = self._session.post(url, data=form, headers=headers, timeout=self.timeout)
                # Read the whole body now so that a broken transfer surfaces here.
                _ = response.content
            except requests.exceptions.ConnectTimeout:
                last = GenesisConnectionError(
                    f"{self.database.label}: Verbindungsaufbau zu {self._host()} dauerte zu lange",
                    f"{self.database.label}: connecting to {self._host()} timed out",
                )
                continue
            except requests.exceptions.Timeout:
                raise GenesisTimeout(
                    f"{self.database.label}: keine Antwort innerhalb von {self.timeout[1]:.0f} s ({path})",
                    f"{self.database.label}: no answer within {self.timeout[1]:.0f} s ({path})",
                ) from None
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
                last = GenesisFormatError(
                    f"{self.database.label}: Antwort unvollständig übertragen ({path})",
                    f"{self.database.label}: answer truncated in transfer ({path})",
                )
                continue
            except requests.exceptions.ConnectionError as exc:
                last = GenesisConnectionError(
                    f"{self.database.label}: keine Verbindung zu {self._host()} ({type(exc).__name__})",
                    f"{self.database.label}: no connection to {self._host()} ({type(exc).__name__})",
                )
                continue
            except requests.exceptions.RequestException as exc:
                raise GenesisConnectionError(
                    scrub(f"{self.database.label}: Anfragefehler {type(exc).__name__}", self._secrets()),
                    scrub(f"{self.database.label}: request error {type(exc).__name__}", self._secrets()),
                ) from None
            if 500 <= response.status_code < 600:
                last = GenesisServerError(
                    f"{self.database.label}: Serverfehler HTTP {response.status_code} ({path}, "
                    f"{attempt} Versuche)",
                    f"{self.database.label}: server error HTTP {response.status_code} ({path}, "
                    f"{attempt} attempts)",
                )
                log.warning("HTTP %s from %s (attempt %s)", response.status_code, path, attempt)
                continue
            self._check_http(response, path)
            return response
        assert last is not None
        raise last

    def _host(self) -> str:
        return re.sub(r"^[a-z]+://", "", self.base_url).split("/")[0]

    def _check_http(self, response: requests.Response, path: str) -> None:
        code = response.status_code
        if code in (401, 403):
            raise GenesisAuthError(
                f"{self.database.label}: Anmeldung abgelehnt (HTTP {code})",
                f"{self.database.label}: login rejected (HTTP {code})",
            )
        if code == 429:
            raise GenesisQuotaError(
                f"{self.database.label}: zu viele Anfragen (HTTP 429)",
                f"{self.database.label}: too many requests (HTTP 429)",
            )
        if code >= 400:
            status = self._status_of(response)
            if status is not None:
                self._check_status(status, path)
            raise GenesisServerError(
                f"{self.database.label}: unerwartete Antwort HTTP {code} ({path})",
                f"{self.database.label}: unexpected answer HTTP {code} ({path})",
                hint_de="Dienst-Adresse prüfen",
                hint_en="check the service URL",
            )

    @staticmethod
    def _status_of(response: requests.Response) -> dict[str, Any] | None:
        """The JSON body if the answer is a GENESIS status document, else None."""
        ctype = response.headers.get("Content-Type", "").lower()
        head = response.content[:1].lstrip() if response.content else b""
        if "json" not in ctype and head != b"{":
            return None
        try:
            body = json.loads(response.content.decode("utf-8-sig", errors="replace"))
        except ValueError:
            return None
        return body if isinstance(body, dict) and "Status" in body else None

    def _json(self, response: requests.Response) -> dict[str, Any]:
        try:
            body = json.loads(response.content.decode("utf-8-sig"))
        except (ValueError, UnicodeDecodeError):
            raise GenesisFormatError(
                f"{self.database.label}: Antwort ist kein JSON", f"{self.database.label}: answer is not JSON"
            ) from None
        if not isinstance(body, dict):
            raise GenesisFormatError(
                f"{self.database.label}: unerwartete JSON-Antwort", f"{self.database.label}: unexpected JSON"
            )
        return body

    def _check_status(self, body: dict[str, Any], name: str) -> int:
        """Map a GENESIS `Status` block to an error; return the code when it is not an error."""
        status = body.get("Status") or {}
        try:
            code = int(status.get("Code", -1))
        except (TypeError, ValueError):
            code = -1
        kind = str(status.get("Type", "")).lower()
        content = scrub(" ".join(str(status.get("Content", "")).split())[:200], self._secrets())
        lowered = content.lower()
        if code in STATUS_OK or code in (STATUS_TOO_LARGE, STATUS_JOB_STARTED):
            if code == 22:
                log.warning("%s: %s", name, content)
            return code
        if code == STATUS_NOT_FOUND or any(w in lowered for w in NOT_FOUND_WORDS):
            raise GenesisTableNotFound(
                f"{self.database.label}: Tabelle {name} nicht gefunden (Status {code})",
                f"{self.database.label}: table {name} not found (status {code})",
            )
        if any(w in lowered for w in AUTH_WORDS):
            raise GenesisAuthError(
                f"{self.database.label}: Anmeldung abgelehnt (Status {code}: {content})",
                f"{self.database.label}: login rejected (status {code})",
            )
        if any(w in lowered for w in QUOTA_WORDS):
            raise GenesisQuotaError(
                f"{self.database.label}: Abrufkontingent erschöpft (Status {code})",
                f"{self.database.label}: quota exhausted (status {code})",
            )
        if kind in ("information", "warnung", "warning") and code >= 0:
            return code
        raise GenesisServerError(
            f"{self.database.label}: {name}: Fehlerstatus {code} ({content})",
            f"{self.database.label}: {name}: error status {code}",
        )

    def _download(self, name: str, response: requests.Response) -> Download:
        body = response.content
        if not body:
            raise GenesisFormatError(f"{name}: leere Antwort", f"{name}: empty answer")
        return Download(
            name=name,
            content=body,
            content_type=response.headers.get("Content-Type", ""),
            url=response.url.split("?")[0] if response.url else self.base_url,
            retrieved=datetime.now(UTC).replace(microsecond=0).isoformat(),
        )
