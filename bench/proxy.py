"""Load through the production proxy: the same load against 1 and then 2 Streamlit replicas, in one run.

    .venv/bin/python -m bench.proxy [--followers 1000] [--explorers 30] [--duration 30] [--ramp 10]

For each replica count it starts the production set (`deploy/serve.py`: nginx + replicas + 1 live worker +
Redis, free loopback ports, a temporary state dir), runs `bench.load` through the proxy (explorers on the
Streamlit websocket, followers on the live event stream, presenter on the control API — all via nginx), reads
the RSS of every process, and stops the set. Once, it measures the bytes of a first visit to the start page in
Chromium directly at a replica and through the proxy. Prints one table; raw figures in artifacts/bench/.
Bounded: each phase ends after ramp + duration (+ grace); nothing listens beyond 127.0.0.1.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.run import machine
from bench.server import REPO_DIR

OUT = REPO_DIR / "artifacts" / "bench"


def _up(url: str) -> bool:
    with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=3) as response:
        return response.status == 200
    return False


def start_set(replicas: int, token: str, state: Path) -> tuple[subprocess.Popen, dict]:
    env = os.environ | {"IR_STATE_DIR": str(state), "IR_PRESENTER_TOKEN": token}
    log = open(state / "console.log", "wb")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(
        [sys.executable, "deploy/serve.py", "--port", "0", "--replicas", str(replicas)],
        cwd=REPO_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    info_file = state / "serve" / "serve.json"
    deadline = time.monotonic() + 300
    while not info_file.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.3)
    info = json.loads(info_file.read_text())
    urls = [f"http://127.0.0.1:{p}/_stcore/health" for p in info["apps"]] + [info["url"] + "_stcore/health"]
    urls += [f"http://127.0.0.1:{p}/live/state.json" for p in info["live_workers"]]
    for url in urls:
        while not _up(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"production set did not start ({url}); see {state / 'console.log'}")
            time.sleep(0.3)
    return proc, info


def rss_mb(info: dict) -> dict[str, float]:
    """RSS of each supervised process (its whole process group is one program)."""
    ctl = Path(sys.executable).parent / "supervisorctl"
    status = subprocess.run(
        [str(ctl), "-c", info["supervisord_conf"], "status"], capture_output=True, text=True, timeout=30
    ).stdout
    sizes = {}
    for line in status.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[1] == "RUNNING" and parts[2] == "pid":
            pid = parts[3].rstrip(",")
            with contextlib.suppress(OSError):
                for row in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if row.startswith("VmRSS:"):
                        sizes[parts[0]] = int(row.split()[1]) / 1024
    return sizes


def first_visit_bytes(url: str) -> int:
    """Bytes on the wire (headers + encoded bodies) for a first visit to `url` in Chromium, until ready."""
    from playwright.sync_api import sync_playwright

    from tests.e2e import browser as browsers
    from tests.e2e import streamlit_page as sp

    choice = browsers.find_chromium()
    if choice is None:
        return -1
    with sync_playwright() as playwright:
        browser = browsers.launch(playwright, choice)
        page = browser.new_context(viewport=sp.VIEWPORTS["desktop"]).new_page()
        sp.prepare(page)
        requests = []
        page.on("requestfinished", lambda request: requests.append(request))
        sp.open_app(page, url)
        total = sum(r.sizes()["responseBodySize"] + r.sizes()["responseHeadersSize"] for r in requests)
        browser.close()
    return total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--followers", type=int, default=1000)
    parser.add_argument("--explorers", type=int, default=30)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--ramp", type=float, default=10.0)
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"machine: {machine()}", flush=True)
    rows, visits = [], {}
    for replicas in args.replicas:
        token = "proxy-" + secrets.token_urlsafe(18)
        with tempfile.TemporaryDirectory(prefix="ir-proxy-") as tmp:
            proc, info = start_set(replicas, token, Path(tmp))
            try:
                if not visits:
                    visits["direct"] = first_visit_bytes(f"http://127.0.0.1:{info['apps'][0]}/")
                    visits["proxy"] = first_visit_bytes(info["url"])
                out = OUT / f"load-proxy-{replicas}.json"
                proxy = info["url"].rstrip("/")
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "bench.load",
                        f"--url={proxy}",
                        f"--live-url={proxy}",
                        f"--token={token}",
                        f"--followers={args.followers}",
                        f"--explorers={args.explorers}",
                        f"--duration={args.duration}",
                        f"--ramp={args.ramp}",
                        f"--json={out}",
                    ],
                    cwd=REPO_DIR,
                    check=True,
                    timeout=args.ramp + args.duration + 400,
                )
                result = json.loads(out.read_text())
                result["rss_mb"] = rss_mb(info)
                rows.append((replicas, result))
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(60)
    base = rows[0][1]["runs_per_s"] or float("nan")
    print(
        f"\nLoad through nginx: {args.followers} followers, {args.explorers} explorers, {args.duration:.0f} s"
    )
    print("replicas | explorer runs/s (×) | run p50 / p95 ms | follower p95 ms | errors | RSS MB per process")
    for replicas, r in rows:
        rss = ", ".join(f"{k} {v:.0f}" for k, v in sorted(r["rss_mb"].items()))
        print(
            f"{replicas:8} | {r['runs_per_s']:6.1f} ({r['runs_per_s'] / base:.2f}×)"
            f" | {r['run_p50_s'] * 1000:5.0f} / {r['run_p95_s'] * 1000:5.0f}"
            f" | {r['scene_p95_s'] * 1000:6.0f} | {r['errors']} | {rss}"
        )
    print(
        f"first visit to Start: {visits['direct'] / 1e6:.2f} MB direct, {visits['proxy'] / 1e6:.2f} MB through nginx"
    )
    (OUT / "proxy.json").write_text(
        json.dumps({"machine": machine(), "settings": vars(args), "visits": visits, "runs": rows}, indent=1)
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
