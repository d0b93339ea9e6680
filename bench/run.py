"""Benchmarks: run time and bytes per page against a floor page, cold start, server memory. Reports, never asserts.

    .venv/bin/python -m bench.run [--rounds 12] [--sessions 50] [--json artifacts/bench/run.json]

Two servers are started the way the README runs the app (`streamlit run … --server.port <free>
--server.headless true` from the repository): the app and `bench/floor_app.py`, the least a Streamlit page can
cost. A protocol-level client (`bench.protocol`) opens every page of the app's navigation and then clicks
through its widgets (next option of a select box, radio, segmented control, slider …), rounds interleaved with
clicks on the floor page so both see the same machine noise. Pass 1 ("new view") shows combinations nobody has
asked for yet (figure caches cold); pass 2 ("cached view") replays the same clicks in a new session – the
steady state of a busy day, and the figure the targets are checked against. Per click it records the wall time
from sending the rerun to `script_finished`, the server's CPU time and the bytes sent (with the browser's
message cache: large elements already received come back as short references).

Targets: page run ≤ 1.3 × floor, ≤ 50 kB per rerun, cold start ≤ 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench.protocol import RunResult, Session
from bench.server import REPO_DIR, StreamlitServer

TARGET_RATIO = 1.3
TARGET_BYTES = 50_000
TARGET_COLD_START = 3.0


@dataclass
class PageStats:
    page: str
    title: str = ""
    first_run_s: float = 0.0
    first_view_s: float = 0.0
    first_view_bytes: int = 0
    interaction: str = ""
    widgets: int = 0
    new_run_s: list[float] = field(default_factory=list)
    """Pass 1: each click shows a combination no one has asked for yet (figure caches cold)."""
    run_s: list[float] = field(default_factory=list)
    """Pass 2: the same clicks again in a new session (caches warm): the steady state."""
    cpu_s: list[float] = field(default_factory=list)
    bytes: list[int] = field(default_factory=list)
    plotly_bytes: list[int] = field(default_factory=list)
    largest: tuple[str, int] = ("", 0)
    problems: list[str] = field(default_factory=list)

    @property
    def median_new_run(self) -> float:
        return statistics.median(self.new_run_s) if self.new_run_s else float("nan")

    @property
    def median_run(self) -> float:
        return statistics.median(self.run_s) if self.run_s else float("nan")

    @property
    def median_cpu(self) -> float:
        return statistics.median(self.cpu_s) if self.cpu_s else float("nan")

    @property
    def median_bytes(self) -> int:
        return int(statistics.median(self.bytes)) if self.bytes else 0

    @property
    def median_plotly_bytes(self) -> int:
        return int(statistics.median(self.plotly_bytes)) if self.plotly_bytes else 0


def machine() -> dict[str, str]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
    except (OSError, StopIteration):
        mem_kb = 0
    import streamlit

    return {
        "nproc": str(os.cpu_count()),
        "cpu": model,
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "python": platform.python_version(),
        "streamlit": streamlit.__version__,
    }


def _check(stats: PageStats, result: RunResult, what: str) -> None:
    if not result.ok:
        stats.problems.append(
            f"{what}: status={result.status} exceptions={result.exceptions} not_found={result.page_not_found}"
        )
    if result.errors:
        stats.problems.append(f"{what}: st.error {result.errors[:1]}")


def _note(stats: PageStats, result: RunResult, cpu: float, warm: bool) -> None:
    if not warm:
        stats.new_run_s.append(result.seconds)
        return
    stats.run_s.append(result.seconds)
    stats.cpu_s.append(cpu)
    stats.bytes.append(result.bytes)
    stats.plotly_bytes.append(result.elements.get("plotly_chart", 0))
    if result.largest[1] > stats.largest[1]:
        stats.largest = result.largest


async def _interact(
    session: Session, stats: PageStats, server: StreamlitServer, round_no: int, warm: bool
) -> None:
    widgets = session.changeable_widgets()
    cpu_before = server.cpu_seconds()
    if widgets:
        widget = widgets[round_no % len(widgets)]
        result = await session.interact(widget)
    else:
        result = await session.rerun()
    cpu = server.cpu_seconds() - cpu_before
    _check(stats, result, f"round {round_no}")
    _note(stats, result, cpu, warm)


async def cold_start(app: StreamlitServer) -> dict:
    """Process start → health answered → first run of the default page finished (call right after start)."""
    async with Session(app.ws_url) as first:
        result = await first.open("")
        total = time.perf_counter() - app.started_at
    return {
        "health_s": app.ready_at - app.started_at,
        "cold_start_s": total,
        "first_default_run_s": result.seconds,
        "navigation": first.pages,
    }


async def measure(
    app: StreamlitServer, floor: StreamlitServer, rounds: int, only: list[str] | None, cold: dict
) -> dict:
    pages = cold["navigation"]
    first_default_run = cold["first_default_run_s"]

    floor_stats = PageStats("(floor)", "bench/floor_app.py")
    page_stats = [
        PageStats(p["url_pathname"], p["title"])
        for p in pages
        if only is None or p["url_pathname"] in only or (p["url_pathname"] == "" and "/" in only)
    ]
    targets = [(floor, floor_stats), *[(app, s) for s in page_stats]]

    # first run of each page in this process (its caches are cold)
    for server, stats in targets:
        async with Session(server.ws_url) as fresh:
            first = await fresh.open(stats.page)
            stats.first_run_s = first.seconds if stats.page else first_default_run
            _check(stats, first, "first run")
    # pass 1 (new views) and pass 2 (the same clicks replayed from the same start: warm caches)
    for warm in (False, True):
        sessions: list[Session] = []
        try:
            for server, stats in targets:
                session = Session(server.ws_url)
                await session.__aenter__()
                sessions.append(session)
                view = await session.open(stats.page)
                _check(stats, view, "first view")
                if warm:
                    stats.first_view_s, stats.first_view_bytes = view.seconds, view.bytes
                    widgets = session.changeable_widgets()
                    stats.widgets = len(widgets)
                    stats.interaction = (
                        ", ".join(f"{w.kind} „{w.label}“" for w in widgets) or "rerun (no widget)"
                    )
            for round_no in range(rounds):
                for (server, stats), session in zip(targets, sessions, strict=True):
                    await _interact(session, stats, server, round_no, warm)
        finally:
            for session in sessions:
                await session.close()
    return {**{k: v for k, v in cold.items() if k != "navigation"}, "floor": floor_stats, "pages": page_stats}


async def memory(server: StreamlitServer, pages: list[str], sessions: int) -> dict:
    """RSS before and with `sessions` sessions open (each has run one page), opened 10 at a time."""
    before = server.rss_bytes()
    open_sessions: list[Session] = []
    try:
        for start in range(0, sessions, 10):
            batch = [Session(server.ws_url) for _ in range(min(10, sessions - start))]
            for session in batch:
                await session.__aenter__()
                open_sessions.append(session)
            await asyncio.gather(
                *(s.open(pages[(start + i) % len(pages)]) for i, s in enumerate(batch)),
                return_exceptions=True,
            )
        during = server.rss_bytes()
    finally:
        for session in open_sessions:
            await session.close()
    return {"sessions": sessions, "rss_before": before, "rss_with_sessions": during}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def _kb(n: int) -> str:
    return f"{n / 1000:.1f}"


def table(results: dict) -> str:
    floor: PageStats = results["floor"]
    floor_run, floor_cpu = floor.median_run, floor.median_cpu
    floor_new = floor.median_new_run
    lines = [
        "| page | first run (cold process) ms | first view ms / kB | click, new view ms (× floor) | "
        "click, cached view ms (× floor) | CPU ms/click | kB/click | plotly kB/click | largest element | "
        "verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    rows = [floor, *results["pages"]]
    for s in rows:
        ratio = s.median_run / floor_run if floor_run else float("nan")
        ratio_new = s.median_new_run / floor_new if floor_new else float("nan")
        misses = []
        if s is not floor:
            if ratio > TARGET_RATIO:
                misses.append(f"run {ratio:.1f}× floor")
            if s.median_bytes > TARGET_BYTES:
                misses.append(f"{_kb(s.median_bytes)} kB/click")
            if s.problems:
                misses.append("errors")
        verdict = "floor" if s is floor else ("ok" if not misses else "MISS: " + "; ".join(misses))
        name = "/" + s.page if s is not floor else "floor page"
        lines.append(
            f"| {name} | {_ms(s.first_run_s)} | {_ms(s.first_view_s)} / {_kb(s.first_view_bytes)} | "
            f"{_ms(s.median_new_run)} ({ratio_new:.1f}) | {_ms(s.median_run)} ({ratio:.1f}) | "
            f"{_ms(s.median_cpu)} | {_kb(s.median_bytes)} | {_kb(s.median_plotly_bytes)} | "
            f"{s.largest[0]} {_kb(s.largest[1])} kB | {verdict} |"
        )
    lines.append("")
    lines.append(
        f"Floor: median click {_ms(floor_run)} ms, CPU {_ms(floor_cpu)} ms. Verdicts use the cached view "
        f"(target ≤ {TARGET_RATIO} × floor, ≤ {TARGET_BYTES / 1000:.0f} kB per click). "
        f"Cold start (process start → health → first run of `/` finished): {results['cold_start_s']:.2f} s "
        f"(health answered after {results['health_s']:.2f} s; target ≤ {TARGET_COLD_START:.0f} s: "
        f"{'ok' if results['cold_start_s'] <= TARGET_COLD_START else 'MISS'})."
    )
    mem = results.get("memory")
    if mem:
        per = (mem["rss_with_sessions"] - mem["rss_before"]) / max(mem["sessions"], 1)
        lines.append(
            f"Server RSS: {mem['rss_before'] / 1e6:.0f} MB after the benchmark, "
            f"{mem['rss_with_sessions'] / 1e6:.0f} MB with {mem['sessions']} more sessions open "
            f"(≈ {per / 1e6:.2f} MB per session)."
        )
    interactions = [f"/{s.page}: {s.interaction}" for s in results["pages"]]
    lines.append("Interactions clicked: " + "; ".join(interactions) + ".")
    problems = [f"/{s.page}: {p}" for s in rows for p in s.problems[:3]]
    if problems:
        lines.append("Problems: " + " | ".join(problems))
    return "\n".join(lines)


def to_json(results: dict) -> dict:
    out = {k: v for k, v in results.items() if k not in ("floor", "pages")}
    out["floor"] = asdict(results["floor"])
    out["pages"] = [asdict(s) for s in results["pages"]]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=12, help="interactions per page (default 12)")
    parser.add_argument("--sessions", type=int, default=50, help="sessions opened for the RSS figure")
    parser.add_argument(
        "--pages", nargs="*", help="url paths to measure (default: all; '/' for the start page)"
    )
    parser.add_argument("--json", type=Path, default=REPO_DIR / "artifacts" / "bench" / "run.json")
    args = parser.parse_args(argv)

    env = {"IR_STATE_DIR": tempfile.mkdtemp(prefix="ir-bench-")}
    print(f"machine: {machine()}", flush=True)
    app = StreamlitServer("app.py", env=env)
    floor = StreamlitServer("bench/floor_app.py")
    try:
        app.start()
        cold = asyncio.run(cold_start(app))
        floor.start()
        results = asyncio.run(measure(app, floor, args.rounds, args.pages, cold))
        pages = [s.page for s in results["pages"]]
        results["memory"] = asyncio.run(memory(app, pages, args.sessions))
        results["machine"] = machine()
        if any(stats.problems for stats in [results["floor"], *results["pages"]]):
            log = app.output(200_000)
            start = log.find("Traceback")
            print("--- app server tracebacks ---\n" + (log[start:][-6000:] if start >= 0 else log[-3000:]))
    except Exception:
        print("--- app server output ---\n" + app.output(), file=sys.stderr)
        raise
    finally:
        app.close()
        floor.close()
    print(table(results))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(to_json(results), indent=1, ensure_ascii=False))
    print(f"\n(raw figures: {args.json})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
