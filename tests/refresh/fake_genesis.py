"""A real HTTP server on localhost that answers like the GENESIS web services, from recorded real answers.

Table bodies, metadata and status documents are the trimmed recordings in `recorded/` (see ORIGIN.md).
Auth errors, `helloworld/logincheck`, header-only levels and GET → 405 follow the facts of
`../shared/genesis-recorded/README.md`. Only `catalogue/modifieddata` (the data's Stand) is unrecorded: its
shape follows the web-service documentation and docs/REFRESH.md lists it as "check on the first online run".

A test sets `server.faults[<endpoint>]` to a list of fault names, used one per request (then normal
answers resume): `500`, `html`, `truncated`, `truncated-zip`, `slow`, `json-98`, `bad-layout`, `bad-value`,
`redirect`, `trickle`, `declared-huge`, `endless`, `zip-bomb`, `not-cp1252`, `deep-json`, `ansi`,
`login-200`.
"""

from __future__ import annotations

import functools
import io
import json
import sys
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

RECORDED = Path(__file__).parent / "recorded"
USER = "ir-test-user"
PASSWORD = "s3cret-Pa55-never-log"
TOKEN = "ir-personal-token-0123456789abcdef"  # a personal token: user name only, empty password
DATA_UPDATE = "03.07.2024"  # Stand served by catalogue/modifieddata for statistic 13111 (unrecorded shape)
BAD_LOGIN = {
    "Code": 2,
    "Content": "Ein Fehler ist aufgetreten. (Bitte prüfen und korrigieren Sie Ihren Nutzernamen bzw.\n das Passwort.)",
    "Type": "ERROR",
}
NO_LOGIN = {"Code": 15, "Content": "Sie müssen sich anmelden (Benutzername und Passwort).", "Type": "ERROR"}

TABLES = {
    # code -> vintage -> (recorded file, served as)
    "13111-01-03-4": {
        "2023": ("13111-01-03-4.2023-old-layout.csv", "csv"),
        "2025": ("13111-01-03-4.2025.ffcsv", "zip"),
    },
    "12411-01-01-4": {"": ("12411-01-01-4.ffcsv", "zip")},
}
METADATA = {
    "13111-01-03-4": {
        "2023": "13111-01-03-4.2023-old-layout.metadata.json",
        "2025": "13111-01-03-4.metadata.json",
    },
    "12411-01-01-4": {"": "12411-01-01-4.metadata.json"},
    "11111-02-01-4": {"": "11111-02-01-4.metadata.json"},
    "12531-0043": {"": "12531-0043.metadata.json"},
}
JOB = "12531-0043_175879554"  # the recorded job name


def recorded(name: str) -> str:
    return (RECORDED / name).read_text(encoding="utf-8")


class FakeGenesis(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.faults: dict[str, list[str]] = {}
        self.requests: list[dict] = []
        self.vintage = "2023"
        self.polls_before_done = 2
        self.polls = 0
        self.slow_seconds = 3.0
        self.redirect_to = ""
        self.edit: dict[str, object] = {}  # code -> function(text) -> text, applied to a served table
        self.data_update = DATA_UPDATE  # the Stand catalogue/modifieddata serves

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (the timeout tests) is expected: no traceback in a later test's stderr."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/genesisws/rest/2020/"

    def fault(self, endpoint: str) -> str | None:
        queue = self.faults.get(endpoint) or self.faults.get("*")
        return queue.pop(0) if queue else None

    def table_text(self, name: str, form: dict[str, str]) -> str | None:
        """A recorded table, filtered by regional variable/key and years like the service (None: unknown)."""
        vintages = TABLES.get(name)
        if vintages is None:
            return None
        file, _ = vintages.get(self.vintage) or next(iter(vintages.values()))
        lines = recorded(file).splitlines()
        var, keys = form.get("regionalvariable", ""), form.get("regionalkey", "")
        wanted = {k.strip() for k in keys.split(",") if k.strip()}
        start, end = form.get("startyear", ""), form.get("endyear", "")
        out = [lines[0]]
        for line in lines[1:]:
            cells = line.split(";")
            if var and (cells[5] != var or (wanted and cells[7] not in wanted)):
                continue
            year = int(cells[4][-4:] if "." in cells[4] else cells[4][:4])
            if (start and year < int(start)) or (end and year > int(end)):
                continue
            out.append(line)
        text = "\n".join(out) + "\n"
        edit = self.edit.get(name)
        return edit(text) if callable(edit) else text

    def served_as(self, name: str) -> str:
        vintages = TABLES[name]
        return (vintages.get(self.vintage) or next(iter(vintages.values())))[1]


def zipped(name: str, text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{name}_1773175029986_de_flat.csv", "\ufeff" + text)
    return buf.getvalue()


@functools.cache
def zip_bomb(megabytes: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z, z.open("bomb_de_flat.csv", "w") as member:
        block = b"0" * (1 << 20)
        for _ in range(megabytes):
            member.write(block)
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

    def _json(self, payload: dict | str, code: int = 200):
        body = payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)
        self._send(code, body.encode(), "application/json;charset=UTF-8")

    def do_GET(self):
        self._json({"Code": 405, "Content": "Method Not Allowed", "Type": "ERROR"}, 405)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        raw = self.rfile.read(length).decode()
        form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
        endpoint = self.path.split("/rest/2020/", 1)[-1].split("?")[0]
        self.server.requests.append({"endpoint": endpoint, "form": form, "path": self.path, "body": raw,
                                     "headers": dict(self.headers)})  # fmt: skip
        user, password = self.headers.get("username", ""), self.headers.get("password", "")
        good = (user, password) in ((USER, PASSWORD), (TOKEN, ""))
        if endpoint == "helloworld/logincheck":  # HTTP 200 for good and bad logins alike, Status a string
            text = "Sie wurden erfolgreich an- und abgemeldet!" if good else BAD_LOGIN["Content"]
            return self._json({"Status": text, "Username": user if good else ""})
        if not user:
            return self._json(NO_LOGIN, 401)
        if not good:
            return self._json(BAD_LOGIN, 404)
        fault = self.server.fault(endpoint)
        if fault and self._fault(fault, form, endpoint) is not None:
            return None
        handler = {
            "data/tablefile": self.tablefile,
            "metadata/table": self.metadata,
            "catalogue/results": self.results,
            "catalogue/modifieddata": self.modifieddata,
            "data/resultfile": self.resultfile,
        }.get(endpoint)
        if handler is None:
            return self._send(404, b"<html>Not Found</html>", "text/html")
        return handler(form, fault)

    def _fault(self, fault: str, form: dict, endpoint: str) -> bool | None:
        """Answer a fault that replaces the whole answer; None when the normal handler runs (with the fault)."""
        if fault == "500":
            self._send(500, b"<html><body>Internal Server Error</body></html>", "text/html")
        elif fault == "html":
            page = b"<!DOCTYPE html><html><head><title>Wartung</title></head><body>Wartungsarbeiten</body></html>"
            self._send(200, page, "text/html;charset=UTF-8")
        elif fault == "login-200":
            self._json(BAD_LOGIN, 200)
        elif fault == "redirect":
            self._send(307, b"", "text/plain", {"Location": self.server.redirect_to + endpoint})
        elif fault == "ansi":
            self._json(
                {"Code": -1, "Content": "Fehler \x1b[2J\x1b[31mROT\u202e gespiegelt", "Type": "Fehler"}
            )
        elif fault == "deep-json":
            self._send(200, b"[" * 200_000, "application/json")
        elif fault == "declared-huge":
            self._send(200, b"PK\x03\x04", "application/zip", length=400 * 1024 * 1024)
            self.close_connection = True
        elif fault == "endless":  # no Content-Length, more than the cap (the test lowers the cap)
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.end_headers()
            for _ in range(64):
                self.wfile.write(b"\0" * 65536)
            self.close_connection = True
        elif fault == "trickle":
            self.send_response(200)
            self.send_header("Content-Type", "text/csv")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                for _ in range(200):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                pass
            self.close_connection = True
        elif fault == "zip-bomb":
            self._send(200, zip_bomb(140), "application/zip")
        elif fault == "not-cp1252":
            text = self.server.table_text("13111-01-03-4", form) or ""
            self._send(200, text.encode() + b"\x81\x8d\xff\n", "text/csv")
        else:
            if fault == "slow":
                time.sleep(self.server.slow_seconds)
            return None
        return True

    def metadata(self, form, fault):
        file = METADATA.get(form["name"], {})
        name = file.get(self.server.vintage) or next(iter(file.values()), None)
        if name is None:
            return self._json(recorded("63121-0001.status-104.json"))
        return self._json(recorded(name))

    def modifieddata(self, form, fault):
        if form.get("selection") != "13111":
            return self._json({"Status": {"Code": 104, "Content": "Es gibt keine Objekte zum angegebenen "
                               "Selektionskriterium", "Type": "Information"}, "List": None})  # fmt: skip
        entry = {"Code": "13111", "Content": "Statistik der sozialversicherungspflichtig Beschäftigten",
                 "Date": self.server.data_update, "Added": "", "Type": "Neue Statistik-Updates"}  # fmt: skip
        return self._json(
            {"Status": {"Code": 0, "Content": "erfolgreich", "Type": "Information"}, "List": [entry]}
        )

    def tablefile(self, form, fault):
        name = form["name"]
        if name == "12531-0043" or fault == "json-98" or form.get("job") == "true":
            if form.get("job") != "true":
                return self._json(recorded("12531-0043.status-98.json"))
            self.server.polls = 0
            self.server.job_table = name
            return self._json(recorded("12531-0043.status-99.json"))
        if name == "61111-0021":
            return self._json(recorded("61111-0021.status-minus-1.json"))
        text = self.server.table_text(name, form)
        if text is None:
            return self._json(recorded("63121-0001.status-104.json"))
        return self._table(name, text, fault, self.server.served_as(name))

    def _table(self, name, text, fault, served):
        if fault == "bad-layout":
            text = text.replace("value_variable_code", "wert_code", 1).replace(
                "Statistik_Code", "Statistik", 1
            )
        if fault == "bad-value":
            lines = text.splitlines()
            lines[1] = (
                lines[1].rsplit(";", 1)[0] + ";12abc"
                if served == "csv"
                else lines[1].replace(";-;", ";12abc;")
            )
            text = "\n".join(lines) + "\n"
        if (served == "csv" and fault != "truncated-zip") or fault == "truncated":
            body = text.encode()
            if fault == "truncated":
                # Announce the full length, send only part, then close: a broken transfer.
                self._send(200, body[: len(body) // 2], "text/csv", length=len(body))
                self.close_connection = True
                return None
            return self._send(
                200, body, "text/csv", {"Content-Disposition": f"attachement;filename={name}_flat.csv"}
            )
        body = zipped(name, text)
        if fault == "truncated-zip":
            body = body[: len(body) - 40]
        disposition = {"Content-Disposition": f"attachment; filename={name}_1773175029986_de_flat.zip"}
        return self._send(200, body, "application/zip", disposition)

    def results(self, form, fault):
        self.server.polls += 1
        if self.server.polls <= self.server.polls_before_done:
            return self._json(recorded("12531-0043.results-104.json"))
        body = json.loads(recorded("12531-0043.results-0.json"))
        body["List"][0]["Code"] = form.get("selection", "")
        return self._json(body)

    def resultfile(self, form, fault):
        table = getattr(self.server, "job_table", "12531-0043")
        if table == "12531-0043":
            return self._table(table, recorded("12531-0043.result.ffcsv"), fault, "zip")
        return self._table(
            table, self.server.table_text(table, {}) or "", fault, self.server.served_as(table)
        )


def start() -> tuple[FakeGenesis, threading.Thread]:
    server = FakeGenesis()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread
