"""Load test: live followers (SSE) and explorers (Streamlit sessions) at once, on loopback, bounded in time.

    .venv/bin/python -m bench.load [--followers 1000] [--explorers 20] [--duration 60] [--ramp 15]

Starts the app the way the README runs it (free port, a generated presenter token, a temporary data folder),
unless `--url` points at a running one on this machine (then `--token` is needed). Then, ramped over `--ramp`
seconds, it connects M followers to `/live/events` and starts N explorers. Explorers behave like people at a
desk: open a page or a shared link, click through its pickers with 1–3 s between clicks, leave, come back.
Once everyone is in, the presenter changes the scene every `--change-every` seconds through
`POST /live/api/control`; every follower notes when each state version arrives. Scene-change latency is
presenter action sent → follower received, over all followers and changes. Server CPU and RSS are sampled from
/proc once a second. Everything stops after ramp + duration (+ a short grace for the last change).

`--split` starts a redis-server and two app processes with the Redis backend instead: followers and explorers
are split across both, the presenter talks to the first (issue 14: the votes and scenes of two processes).
`--phone-bytes` measures, in Chromium, the bytes a phone transfers for its first visit to `/live` (until the
first scene is drawn) and for one scene change (cache empty).

`--demo-sse` runs the follower side against a tiny in-process SSE server instead (no app): a check of the
client itself. Targets: 2,000 followers + 20 explorers, scene change p95 ≤ 1 s, 0 errors, RSS ≤ 500 MB
per process; a phone's first visit ≤ 150 kB, a scene change ≤ 30 kB.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import random
import resource
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from bench.protocol import ProtocolError, RunResult, Session
from bench.run import machine
from bench.server import REPO_DIR, StreamlitServer
from bench.sse import DemoServer, Follower

TARGET_FOLLOWERS = 2000
TARGET_EXPLORERS = 20
TARGET_P95 = 1.0
TARGET_RSS = 500e6
TARGET_FIRST_VISIT = 150_000
TARGET_SCENE_CHANGE = 30_000
GRACE = 5.0

# what explorers open: url path and query string (shared links among them)
SCENARIOS = [
    ("", ""),
    ("bildung", ""),
    ("arbeitsmarkt", ""),
    ("arbeitsmarkt", "indikator=unemployment_rate&jahr=2019&einheit=05513&aufschluesselung=foreign"),
    ("geduldete", ""),
    ("steckbrief", ""),
    ("steckbrief", "einheit=05913"),
    ("vergleich", ""),
    (
        "vergleich",
        "einheit=05513&vergleich=05916,05112,05119&indikator=unemployment_rate&aufschluesselung=foreign&jahr=2019",
    ),
    ("methodik", ""),
]


@dataclass
class Stats:
    runs: list[tuple[float, float, int]] = field(default_factory=list)
    """(finished at, seconds, bytes) per completed run."""
    errors: list[str] = field(default_factory=list)
    changes: list[tuple[int, float]] = field(default_factory=list)
    """(state version, presenter action sent at)."""
    answers: list[float] = field(default_factory=list)
    """Presenter request round trips (sent → response) in seconds."""
    samples: list[tuple[float, float, int]] = field(default_factory=list)
    """(time, server CPU seconds, server RSS bytes)."""
    followers_seen_by_server: dict | None = None


def raise_fd_limit(needed: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = hard if hard != resource.RLIM_INFINITY else max(soft, needed)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def require_loopback(url: str) -> None:
    host = urlparse(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise SystemExit(
            f"refusing to load {host!r}: this load test only targets this machine (127.0.0.0/8, ::1)"
        )


def _http(url: str, token: str | None = None, body: dict | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def _record(stats: Stats, result: RunResult, what: str) -> None:
    if result.ok and not result.errors:
        stats.runs.append((time.perf_counter(), result.seconds, result.bytes))
    else:
        stats.errors.append(
            f"explorer {what}: status={result.status} exceptions={result.exceptions[:1]} errors={result.errors[:1]}"
        )


async def explorer(
    ws_url: str,
    stop: asyncio.Event,
    stats: Stats,
    rng: random.Random,
    think: tuple[float, float] = (1.0, 3.0),
) -> None:
    while not stop.is_set():
        page, query = rng.choice(SCENARIOS)
        try:
            async with Session(ws_url) as session:
                _record(stats, await session.open(page, query), f"/{page}?{query}")
                for _ in range(rng.randint(3, 8)):
                    await _sleep_or_stop(stop, rng.uniform(*think))
                    widgets = session.changeable_widgets()
                    if stop.is_set() or not widgets:
                        break
                    widget = rng.choice(widgets)
                    _record(stats, await session.interact(widget), f"/{page} {widget.kind} {widget.label}")
        except (ProtocolError, OSError, TimeoutError) as exc:
            if not stop.is_set():
                stats.errors.append(f"explorer /{page}: {type(exc).__name__}: {exc}")
        except Exception as exc:  # a websocket closed by the server, a malformed message …
            if not stop.is_set():
                stats.errors.append(f"explorer /{page}: {type(exc).__name__}: {exc}")
        await _sleep_or_stop(stop, rng.uniform(0.5, 2.0))


class ProcessProbe:
    """CPU time and RSS of one running process by pid (for `--url` runs)."""

    def __init__(self, pid: int):
        self.pid = pid

    cpu_seconds = StreamlitServer.cpu_seconds
    rss_bytes = StreamlitServer.rss_bytes


async def sampler(servers: list, stop: asyncio.Event, stats: Stats) -> None:
    """CPU seconds summed over the server processes, RSS of the largest one."""
    while servers and not stop.is_set():
        with contextlib.suppress(OSError):
            cpu = sum(server.cpu_seconds() for server in servers)
            stats.samples.append((time.perf_counter(), cpu, max(server.rss_bytes() for server in servers)))
        await _sleep_or_stop(stop, 1.0)


async def run_load(
    *,
    host: str,
    port: int,
    token: str | None,
    followers: int,
    explorers: int,
    duration: float,
    ramp: float,
    change_every: float,
    server: StreamlitServer | ProcessProbe | None = None,
    demo: DemoServer | None = None,
    think: tuple[float, float] = (1.0, 3.0),
    live: tuple[str, int] | None = None,
    more: list[StreamlitServer] | None = None,
    seed: int = 7,
) -> dict:
    """`more`: further app processes (Redis backend) that take their share of followers and explorers."""
    rng = random.Random(seed)
    stats = Stats()
    stop_clients = asyncio.Event()
    stop_sampling = asyncio.Event()
    live_host, live_port = live or (host, port)  # followers and presenter (a separate live process, if given)
    base = f"http://{live_host}:{live_port}"
    ws_urls = [f"ws://{host}:{port}/_stcore/stream"] + [
        f"ws://{host}:{m.port}/_stcore/stream" for m in more or []
    ]
    endpoints = [(live_host, live_port)] + [(host, m.port) for m in more or []]
    tour_length = 0
    if demo is None:
        status = await asyncio.to_thread(_http, f"{base}/live/api/status", token)
        tour_length = int(status.get("tour_length") or 0)
        if tour_length < 2:
            raise SystemExit(f"the live tour has {tour_length} scenes; scene changes need at least 2")

    sampling = asyncio.ensure_future(sampler([x for x in [server, *(more or [])] if x], stop_sampling, stats))
    subscribers = [Follower(*endpoints[i % len(endpoints)]) for i in range(followers)]
    tasks: list[asyncio.Future] = []
    started = time.perf_counter()
    total = followers + explorers
    explorer_every = max(total // max(explorers, 1), 1)
    spawned_explorers = 0

    def spawn_explorer() -> None:
        nonlocal spawned_explorers
        url = ws_urls[spawned_explorers % len(ws_urls)]
        tasks.append(
            asyncio.ensure_future(explorer(url, stop_clients, stats, random.Random(rng.random()), think))
        )
        spawned_explorers += 1

    for i, follower in enumerate(subscribers):
        tasks.append(asyncio.ensure_future(follower.run(stop_clients)))
        if explorers and i % explorer_every == 0 and spawned_explorers < explorers:
            spawn_explorer()
        await asyncio.sleep(ramp / max(total, 1))
    while spawned_explorers < explorers:
        spawn_explorer()
    # everyone in: wait (bounded) until the followers have their headers
    deadline = time.perf_counter() + 30
    while (
        time.perf_counter() < deadline
        and sum(f.connected_at is not None or f.error is not None for f in subscribers) < followers
    ):
        await asyncio.sleep(0.05)
    ramp_done = time.perf_counter()
    if demo is None:
        with contextlib.suppress(OSError, ValueError):
            stats.followers_seen_by_server = await asyncio.to_thread(_http, f"{base}/live/followers.json")

    # steady phase: scene changes
    steady_start = time.perf_counter()
    position = 0
    while time.perf_counter() - steady_start < duration:
        sent = time.perf_counter()
        try:
            if demo is not None:
                version = await demo.publish()
            else:
                position = (position + 1) % tour_length
                answer = await asyncio.to_thread(
                    _http, f"{base}/live/api/control", token, {"action": "goto", "position": position}
                )
                version = int(answer["status"]["version"])
            stats.changes.append((version, sent))
            stats.answers.append(time.perf_counter() - sent)
        except (OSError, urllib.error.HTTPError, KeyError, ValueError) as exc:
            stats.errors.append(f"presenter: {type(exc).__name__}: {exc}")
        await asyncio.sleep(max(change_every - (time.perf_counter() - sent), 0))
    steady_end = time.perf_counter()

    # grace: wait (bounded) for the last change to reach every connected follower
    if stats.changes:
        last = stats.changes[-1][0]
        deadline = time.perf_counter() + GRACE
        while time.perf_counter() < deadline and any(
            last not in f.received for f in subscribers if f.connected_at is not None and f.error is None
        ):
            await asyncio.sleep(0.05)
    stop_clients.set()
    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 60)
    stop_sampling.set()
    await sampling
    return summarize(stats, subscribers, explorers, started, ramp_done, steady_start, steady_end)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


def summarize(
    stats: Stats,
    subscribers: list[Follower],
    explorers: int,
    started: float,
    ramp_done: float,
    steady_start: float,
    steady_end: float,
) -> dict:
    latencies, missed = [], 0
    for version, sent in stats.changes:
        for f in subscribers:
            if f.connected_at is None or f.connected_at > sent:
                continue
            if version in f.received:
                latencies.append(f.received[version] - sent)
            elif f.error is None or (f.closed_at or 0) > sent + GRACE:
                missed += 1
    follower_errors = [f.error for f in subscribers if f.error]
    steady_runs = [r for r in stats.runs if steady_start <= r[0] <= steady_end]
    run_seconds = [r[1] for r in stats.runs]
    cpu = [
        (b[1] - a[1]) / (b[0] - a[0]) * 100
        for a, b in zip(stats.samples, stats.samples[1:], strict=False)
        if b[0] > a[0]
    ]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    wall = max(steady_end - started, 1e-9)
    errors = len(follower_errors) + missed + len(stats.errors)
    return {
        "followers": len(subscribers),
        "followers_connected": sum(f.connected_at is not None for f in subscribers),
        "followers_seen_by_server": stats.followers_seen_by_server,
        "explorers": explorers,
        "ramp_s": ramp_done - started,
        "steady_s": steady_end - steady_start,
        "changes": len(stats.changes),
        "deliveries": len(latencies),
        "scene_p50_s": _pct(latencies, 0.50),
        "scene_p95_s": _pct(latencies, 0.95),
        "scene_max_s": max(latencies) if latencies else float("nan"),
        "presenter_rtt_p50_s": _pct(stats.answers, 0.50),
        "presenter_rtt_p95_s": _pct(stats.answers, 0.95),
        "presenter_rtts_s": [round(a, 3) for a in stats.answers],
        "missed_deliveries": missed,
        "follower_errors": len(follower_errors),
        "follower_error_examples": sorted(set(follower_errors))[:5],
        "explorer_runs": len(stats.runs),
        "runs_per_s": len(steady_runs) / max(steady_end - steady_start, 1e-9),
        "run_p50_s": _pct(run_seconds, 0.50),
        "run_p95_s": _pct(run_seconds, 0.95),
        "run_kb_median": statistics.median([r[2] for r in stats.runs]) / 1000 if stats.runs else float("nan"),
        "explorer_errors": len(stats.errors),
        "explorer_error_examples": stats.errors[:5],
        "errors": errors,
        "server_rss_peak_mb": max((s[2] for s in stats.samples), default=0) / 1e6,
        "server_cpu_mean_pct": statistics.mean(cpu) if cpu else float("nan"),
        "server_cpu_peak_pct": max(cpu) if cpu else float("nan"),
        "client_cpu_pct": (usage.ru_utime + usage.ru_stime) / wall * 100,
    }


def report(result: dict) -> str:
    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISS"

    seen = result.get("followers_seen_by_server")
    rows = [
        (
            "followers connected",
            f"{result['followers_connected']} / {result['followers']}"
            + (f" (server counts {seen})" if seen else ""),
            f"≥ {TARGET_FOLLOWERS}",
            verdict(result["followers_connected"] >= TARGET_FOLLOWERS),
        ),
        (
            "explorers",
            str(result["explorers"]),
            f"≥ {TARGET_EXPLORERS}",
            verdict(result["explorers"] >= TARGET_EXPLORERS),
        ),
        ("ramp", f"{result['ramp_s']:.1f} s", "", ""),
        ("scene changes / deliveries", f"{result['changes']} / {result['deliveries']}", "", ""),
        ("scene change p50", f"{result['scene_p50_s'] * 1000:.0f} ms", "", ""),
        (
            "scene change p95",
            f"{result['scene_p95_s'] * 1000:.0f} ms",
            f"≤ {TARGET_P95 * 1000:.0f} ms",
            verdict(result["scene_p95_s"] <= TARGET_P95),
        ),
        ("scene change max", f"{result['scene_max_s'] * 1000:.0f} ms", "", ""),
        (
            "presenter request round trip p50 / p95",
            f"{result['presenter_rtt_p50_s'] * 1000:.0f} / {result['presenter_rtt_p95_s'] * 1000:.0f} ms",
            "",
            "",
        ),
        (
            "explorer runs (runs/s in steady phase)",
            f"{result['explorer_runs']} ({result['runs_per_s']:.1f}/s)",
            "",
            "",
        ),
        (
            "explorer run p50 / p95",
            f"{result['run_p50_s'] * 1000:.0f} / {result['run_p95_s'] * 1000:.0f} ms",
            "",
            "",
        ),
        (
            "errors (missed deliveries, follower, explorer)",
            f"{result['errors']} ({result['missed_deliveries']}, {result['follower_errors']}, "
            f"{result['explorer_errors']})",
            "0",
            verdict(result["errors"] == 0),
        ),
        (
            "server RSS peak",
            f"{result['server_rss_peak_mb']:.0f} MB",
            f"≤ {TARGET_RSS / 1e6:.0f} MB",
            verdict(result["server_rss_peak_mb"] <= TARGET_RSS / 1e6),
        ),
        (
            "server CPU mean / peak",
            f"{result['server_cpu_mean_pct']:.0f} % / {result['server_cpu_peak_pct']:.0f} %",
            "",
            "",
        ),
        ("load generator CPU", f"{result['client_cpu_pct']:.0f} %", "", ""),
    ]
    lines = ["| metric | value | target | verdict |", "|---|---:|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    for key in ("follower_error_examples", "explorer_error_examples"):
        if result.get(key):
            lines.append(f"{key}: {result[key]}")
    return "\n".join(lines)


@dataclass
class RedisServer:
    url: str
    proc: subprocess.Popen

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def start_redis() -> RedisServer:
    """A throw-away redis-server on a free loopback port (no persistence)."""
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1) as c:
            c.sendall(b"PING\r\n")
            if c.recv(16).startswith(b"+PONG"):
                return RedisServer(f"redis://127.0.0.1:{port}/0", proc)
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("redis-server did not start")


class WireCounter:
    """Bytes on the wire per response as Chromium counts them: `loadingFinished` (headers + encoded body)
    for finished responses, headers + received chunks for open ones (the event stream)."""

    def __init__(self, page) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        self.open: dict[str, int] = {}
        self.done: dict[str, int] = {}
        self.cdp.on("Network.responseReceivedExtraInfo", self._headers)
        self.cdp.on("Network.dataReceived", self._chunk)
        self.cdp.on("Network.loadingFinished", self._finished)

    def _headers(self, event: dict) -> None:
        self.open[event["requestId"]] = self.open.get(event["requestId"], 0) + len(
            event.get("headersText", "")
        )

    def _chunk(self, event: dict) -> None:
        self.open[event["requestId"]] = self.open.get(event["requestId"], 0) + event.get(
            "encodedDataLength", 0
        )

    def _finished(self, event: dict) -> None:
        self.open.pop(event["requestId"], None)
        self.done[event["requestId"]] = int(event.get("encodedDataLength", 0))

    def take(self) -> dict:
        """Bytes and responses since the last call."""
        counted = {
            "bytes": sum(self.done.values()) + sum(self.open.values()),
            "requests": len(self.done) + len(self.open),
        }
        self.done.clear()
        self.open = dict.fromkeys(self.open, 0)  # an open stream counts only its new chunks
        return counted


def phone_bytes(base: str, token: str, browser=None) -> dict:
    """A phone's bytes for its first visit to `/live` (until the first scene is drawn) and one scene change."""
    drawn = "() => { const i = document.getElementById('fig'); return i && !i.hidden && i.complete && i.naturalWidth > 0; }"
    _http(f"{base}/live/api/control", token, {"action": "goto", "position": 0})
    with contextlib.ExitStack() as stack:
        if browser is None:
            from playwright.sync_api import sync_playwright

            from tests.e2e.browser import DEBIAN_CHROMIUM, LAUNCH_ARGS

            playwright = stack.enter_context(sync_playwright())
            browser = playwright.chromium.launch(executable_path=DEBIAN_CHROMIUM, args=LAUNCH_ARGS)
            stack.callback(browser.close)
        context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
        stack.callback(context.close)
        page = context.new_page()
        counter = WireCounter(page)
        page.goto(f"{base}/live")
        page.wait_for_function(drawn, timeout=60_000)
        page.wait_for_timeout(300)
        first = counter.take()
        src = page.locator("#fig").get_attribute("src")
        _http(f"{base}/live/api/control", token, {"action": "goto", "position": 1})
        page.wait_for_function(
            f"() => document.getElementById('fig').getAttribute('src') !== {json.dumps(src)}"
        )
        page.wait_for_function(drawn, timeout=60_000)
        page.wait_for_timeout(300)
        change = counter.take()
    return {"first_visit": first, "scene_change": change}


def report_bytes(result: dict) -> str:
    first, change = result["first_visit"], result["scene_change"]
    return (
        f"phone first visit to /live: {first['bytes'] / 1000:.1f} kB in {first['requests']} responses "
        f"(target ≤ {TARGET_FIRST_VISIT / 1000:.0f} kB)\n"
        f"scene change: {change['bytes'] / 1000:.1f} kB in {change['requests']} responses "
        f"(target ≤ {TARGET_SCENE_CHANGE / 1000:.0f} kB)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--followers", type=int, default=TARGET_FOLLOWERS)
    parser.add_argument("--explorers", type=int, default=TARGET_EXPLORERS)
    parser.add_argument("--duration", type=float, default=60.0, help="steady phase in seconds (default 60)")
    parser.add_argument("--ramp", type=float, default=15.0, help="seconds to bring everyone in (default 15)")
    parser.add_argument("--change-every", type=float, default=3.0, help="seconds between scene changes")
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(1.0, 3.0),
        metavar=("MIN", "MAX"),
        help="seconds an explorer waits between clicks (default 1 3)",
    )
    parser.add_argument("--url", help="a running app on this machine (default: start one)")
    parser.add_argument(
        "--live-url",
        help="serve followers and presenter from this separate live process (e.g. the live routes' "
        "standalone app with the Redis backend) while explorers use the app",
    )
    parser.add_argument("--pid", type=int, help="with --url: the app server's pid, for its CPU and RSS")
    parser.add_argument("--token", help="presenter token of the running app (with --url)")
    parser.add_argument("--demo-sse", action="store_true", help="followers against a tiny local SSE server")
    parser.add_argument("--split", action="store_true", help="two app processes behind a local redis-server")
    parser.add_argument("--phone-bytes", action="store_true", help="only measure a phone's bytes in Chromium")
    parser.add_argument("--json", type=Path, default=REPO_DIR / "artifacts" / "bench" / "load.json")
    args = parser.parse_args(argv)
    if args.duration > 600 or args.ramp > 120:
        raise SystemExit("bounded by design: --duration ≤ 600 s, --ramp ≤ 120 s")
    limit = raise_fd_limit(args.followers + args.explorers * 4 + 256)
    print(f"machine: {machine()}; open-file limit {limit}", flush=True)

    server, redis, more = None, None, []
    try:
        if args.demo_sse:

            async def demo_run() -> dict:
                demo = await DemoServer().start()
                try:
                    return await run_load(
                        host="127.0.0.1",
                        port=demo.port,
                        token=None,
                        followers=args.followers,
                        explorers=0,
                        duration=args.duration,
                        ramp=args.ramp,
                        change_every=args.change_every,
                        demo=demo,
                    )
                finally:
                    await demo.close()

            result = asyncio.run(demo_run())
        else:
            live, probe = None, None
            if args.url:
                require_loopback(args.url)
                if not args.token:
                    raise SystemExit("--url needs --token (the presenter token of that server)")
                parsed = urlparse(args.url)
                host, port, token = parsed.hostname, parsed.port or 80, args.token
                probe = ProcessProbe(args.pid) if args.pid else None
                if args.live_url:
                    require_loopback(args.live_url)
                    live_parsed = urlparse(args.live_url)
                    live = (live_parsed.hostname, live_parsed.port or 80)
            else:
                token = "load-" + secrets.token_urlsafe(18)
                env = {"IR_PRESENTER_TOKEN": token, "IR_STATE_DIR": tempfile.mkdtemp(prefix="ir-load-")}
                if args.split:
                    redis = start_redis()
                    env |= {"IR_LIVE_BACKEND": "redis", "IR_REDIS_URL": redis.url, "IR_DEVICE_SECRET": token}
                    more = [StreamlitServer("app.py", env=env).start()]
                server = StreamlitServer("app.py", env=env).start()
                host, port = "127.0.0.1", server.port
                if args.phone_bytes:
                    result = phone_bytes(f"http://{host}:{port}", token)
                    print(report_bytes(result))
                    return 0
            result = asyncio.run(
                asyncio.wait_for(
                    run_load(
                        host=host,
                        port=port,
                        token=token,
                        followers=args.followers,
                        explorers=args.explorers,
                        duration=args.duration,
                        ramp=args.ramp,
                        change_every=args.change_every,
                        server=server or probe,
                        think=tuple(args.think),
                        live=live,
                        more=more,
                    ),
                    args.ramp + args.duration + GRACE + 120,
                )
            )
    except BaseException:
        if server is not None:
            print("--- server output ---\n" + server.output(), file=sys.stderr)
        raise
    finally:
        for process in [server, *more]:
            if process is not None:
                process.close()
        if redis is not None:
            redis.close()
    result["machine"] = machine()
    result["settings"] = {k: v for k, v in vars(args).items() if k not in ("token", "json")}
    print(report(result))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(f"\n(raw figures: {args.json})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
