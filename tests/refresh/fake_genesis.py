"""A real HTTP server on localhost that answers like the GENESIS web services (for the refresh tests).

Serves `data/tablefile` (ZIP or plain ffcsv from `fixtures/`, filtered like the real service),
`metadata/table`, `catalogue/results`, `data/resultfile` (background-job flow, status 98/99) and
`helloworld/logincheck`. A test sets `server.faults[<endpoint>]` to a list of fault names that are used one
per request (then normal answers resume): `401`, `403`, `500`, `html`, `truncated`, `truncated-zip`,
`slow`, `json-98`, `not-found`, `quota`, `bad-layout`, `bad-value`.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

FIXTURES = Path(__file__).parent / "fixtures"
USER = "ir-test-user"
PASSWORD = "s3cret-Pa55-never-log"
STAND = "26.02.2026 10:12:07h"


def _status(code: int, content: str, kind: str = "Information") -> dict:
    return {
        "Ident": {"Service": "data", "Method": "tablefile"},
        "Status": {"Code": code, "Content": content, "Type": kind},
    }


class FakeGenesis(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.faults: dict[str, list[str]] = {}
        self.requests: list[dict] = []
        self.jobs: dict[str, int] = {}
        self.slow_seconds = 3.0
        self.plain_csv = False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/genesisws/rest/2020/"

    def fault(self, endpoint: str) -> str | None:
        queue = self.faults.get(endpoint) or self.faults.get("*")
        return queue.pop(0) if queue else None


def table_text(name: str, form: dict[str, str]) -> str:
    """Fixture rows of a table, filtered by regional variable/key and years (like the service)."""
    path = FIXTURES / f"{name}_de_flat.csv"
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(text.splitlines(), delimiter=";"))
    header, body = rows[0], rows[1:]
    var, keys = form.get("regionalvariable", ""), form.get("regionalkey", "")
    wanted = {k.strip() for k in keys.split(",") if k.strip()}
    start, end = form.get("startyear", ""), form.get("endyear", "")
    out = [header]
    for r in body:
        if var and (r[5] != var or (wanted and r[7] not in wanted)):
            continue
        year = int(r[4][:4])
        if (start and year < int(start)) or (end and year > int(end)):
            continue
        out.append(r)
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\n").writerows(out)
    return buf.getvalue()


def zipped(name: str, text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{name}_1772100727000_de_flat.csv", "\ufeff" + text)
    return buf.getvalue()


class Handler(BaseHTTPRequestHandler):
    server: FakeGenesis

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _send(self, code: int, body: bytes, ctype: str, extra: dict | None = None, length: int | None = None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, payload: dict, code: int = 200):
        self._send(code, json.dumps(payload, ensure_ascii=False).encode(), "application/json;charset=UTF-8")

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length).decode()
        form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        endpoint = self.path.split("/rest/2020/", 1)[-1].split("?")[0]
        self.server.requests.append(
            {
                "endpoint": endpoint,
                "form": form,
                "path": self.path,
                "body": raw,
                "headers": dict(self.headers),
            }
        )
        if self.headers.get("username") != USER or self.headers.get("password") != PASSWORD:
            return self._json(_status(-1, "Fehler bei der Anmeldung: Benutzer unbekannt", "Error"), 401)
        fault = self.server.fault(endpoint)
        if fault == "401":
            return self._json(_status(-1, "Sie sind nicht angemeldet (login required)", "Error"), 401)
        if fault == "403":
            return self._json(_status(-1, "Zugriff verweigert", "Error"), 403)
        if fault == "500":
            return self._send(500, b"<html><body>Internal Server Error</body></html>", "text/html")
        if fault == "html":
            page = b"<!DOCTYPE html><html><head><title>Wartung</title></head><body>Wartungsarbeiten</body></html>"
            return self._send(200, page, "text/html;charset=UTF-8")
        if fault == "slow":
            time.sleep(self.server.slow_seconds)
        if fault == "quota":
            return self._json(_status(-1, "Zu viele Anfragen: Ihr Kontingent ist erschöpft", "Error"), 429)
        if fault == "not-found":
            return self._json(
                _status(104, "Es gibt keine Objekte zum angegebenen Selektionskriterium", "Information")
            )
        handler = {
            "data/tablefile": self.tablefile,
            "metadata/table": self.metadata,
            "catalogue/results": self.results,
            "data/resultfile": self.resultfile,
            "helloworld/logincheck": lambda form, fault: self._json(
                _status(0, "Sie wurden erfolgreich an- und abgemeldet!")
            ),
        }.get(endpoint)
        if handler is None:
            return self._send(404, b"<html>Not Found</html>", "text/html")
        return handler(form, fault)

    def metadata(self, form, fault):
        return self._json(
            {
                **_status(0, "erfolgreich"),
                "Object": {"Code": form["name"], "Content": "Testtabelle", "Updated": STAND},
                "Copyright": "© Statistische Ämter des Bundes und der Länder, Deutschland, 2026.",
            }
        )

    def tablefile(self, form, fault):
        name = form["name"]
        if not (FIXTURES / f"{name}_de_flat.csv").exists():
            return self._json(_status(104, "Es gibt keine Objekte zum angegebenen Selektionskriterium"))
        if fault == "json-98" and form.get("job") != "true":
            return self._json(_status(98, "Die Tabelle ist zu groß. Bitte als Hintergrundauftrag abrufen."))
        if form.get("job") == "true":
            job = f"{name}_{700000 + len(self.server.jobs)}"
            self.server.jobs[job] = 2  # not listed for the first 2 polls
            return self._json(
                _status(
                    99,
                    "Der Bearbeitungsauftrag wurde erstellt. Die Tabelle kann in Kürze als Ergebnis mit "
                    f"folgendem Namen abgerufen werden: {job}",
                )
            )
        return self._table(name, table_text(name, form), fault)

    def _table(self, name, text, fault):
        if fault == "bad-layout":
            text = text.replace("value_variable_code", "wert_code", 1)
        if fault == "bad-value":
            lines = text.splitlines()
            lines[1] = (
                lines[1].replace(";Anzahl;", ";Anzahl;", 1).rsplit(";", 4)[0]
                + ";12abc;Anzahl;ERWP06;Arbeitslose"
            )
            text = "\n".join(lines) + "\n"
        if self.server.plain_csv or fault == "truncated":
            body = ("\ufeff" + text).encode()
            if fault == "truncated":
                # Announce the full length, send only part, then close: a broken transfer.
                self._send(200, body[: len(body) // 2], "text/csv;charset=UTF-8", length=len(body))
                self.close_connection = True
                return None
            return self._send(200, body, "text/csv;charset=UTF-8")
        body = zipped(name, text)
        if fault == "truncated-zip":
            body = body[: len(body) - 40]
        return self._send(
            200,
            body,
            "application/zip",
            {"Content-Disposition": f"attachment; filename={name}_1772100727000_de_flat.zip"},
        )

    def results(self, form, fault):
        job = form.get("selection", "")
        left = self.server.jobs.get(job)
        if left is None or left > 0:
            if left:
                self.server.jobs[job] = left - 1
            return self._json(
                {**_status(104, "Es gibt keine Objekte zum angegebenen Selektionskriterium"), "List": None}
            )
        return self._json(
            {**_status(0, "erfolgreich"), "List": [{"Code": job, "Content": "Ergebnistabelle"}]}
        )

    def resultfile(self, form, fault):
        job = form["name"]
        name = job.rsplit("_", 1)[0]
        return self._table(name, table_text(name, {}), fault)


def start() -> tuple[FakeGenesis, threading.Thread]:
    server = FakeGenesis()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread
