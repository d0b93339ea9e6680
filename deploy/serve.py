"""Start the production set on one host: nginx + N Streamlit replicas + M live workers + Redis.

`scripts/serve.sh` runs this with the project's venv. It picks free loopback ports for the processes behind
the proxy, renders `deploy/nginx.conf.template` and a supervisord configuration into
`<IR_STATE_DIR>/serve/`, pre-compresses Streamlit's bundles for nginx's `gzip_static`, writes `serve.json`
(ports, base path, pids file) and replaces itself with supervisord, which starts, watches and restarts
every process and stops them all on Ctrl+C / SIGTERM.

    python deploy/serve.py [--port 8080] [--host 127.0.0.1] [--replicas 2] [--live-workers 1]
                           [--base-path /integration] [--redis-url redis://…]

`python deploy/serve.py nginx-conf …` only prints a configuration (`deploy/compose/nginx.conf` is one);
`python deploy/serve.py precompress [DIR]` only writes the pre-compressed bundles (default: beside the venv;
the Dockerfile's proxy stage names a DIR).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import secrets
import shutil
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEPLOY = REPO / "deploy"
COMPRESSIBLE = {".js", ".css", ".svg", ".json", ".ttf", ".otf", ".txt", ".html", ".map"}
MIME_TYPES = "/etc/nginx/mime.types"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")


@dataclass(frozen=True)
class Topology:
    listen: str
    """nginx `listen` argument, e.g. `127.0.0.1:8080` or `8080`."""
    base: str
    """Base path without trailing slash, `""` for the root."""
    apps: list[str]
    lives: list[str]
    static_root: str
    run_dir: str
    log_dir: str
    mime_types: str = MIME_TYPES
    brotli_module: str | None = None
    """Path of nginx's brotli_static module (Debian: libnginx-mod-http-brotli-static), if installed."""
    worker_user: str | None = None
    """Started as root, nginx's workers would switch to `nobody`, who cannot read a private state dir:
    they run as the user who runs the rest of the set."""


def normalize_base(raw: str) -> str:
    """`/integration` from `integration/`, `/integration`, …; `""` for the root. Only URL-safe segments."""
    base = "/" + raw.strip().strip("/")
    if base == "/":
        return ""
    if not re.fullmatch(r"(/[A-Za-z0-9._~-]+)+", base):
        raise SystemExit(f"Ungültiger Basispfad {raw!r}: erlaubt sind Buchstaben, Ziffern, . _ ~ - und /.")
    return base


def render(template: str, values: dict[str, str]) -> str:
    """Fill `{{name}}` placeholders; a placeholder without a value is an error."""
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m[1]], template)


def nginx_conf(topology: Topology) -> str:
    """The nginx configuration of this topology, from `deploy/nginx.conf.template`."""
    base = topology.base
    live_template = (DEPLOY / "nginx-live.conf.template").read_text(encoding="utf-8")
    # Under a base path, any other address (`/`, an absolute link such as `/bildung`) moves under it.
    root_redirect = (
        f"        location / {{\n            return 302 {base}$request_uri;\n        }}\n"
        f"        location = {base} {{\n            return 301 {base}/;\n        }}\n"
        if base
        else ""
    )
    return render(
        (DEPLOY / "nginx.conf.template").read_text(encoding="utf-8"),
        {
            "load_modules": f"load_module {topology.brotli_module};\n" if topology.brotli_module else "",
            "brotli_static": "            brotli_static on;\n" if topology.brotli_module else "",
            "user_directive": f"user {topology.worker_user};\n" if topology.worker_user else "",
            "listen": topology.listen,
            "base": base,
            "cookie_path": base + "/",
            "app_servers": "\n".join(
                f"        server {a} max_fails=1 fail_timeout=10s;" for a in topology.apps
            ),
            "live_servers": "\n".join(
                f"        server {a} max_fails=1 fail_timeout=5s;" for a in topology.lives
            ),
            "static_root": topology.static_root,
            "run_dir": topology.run_dir,
            "log_dir": topology.log_dir,
            "mime_types": topology.mime_types,
            "root_redirect": root_redirect,
            "live_locations": render(live_template, {"prefix": base}),
        },
    )


def _compress(job: tuple[Path, Path]) -> tuple[int, int, int]:
    """Write `<target>.gz` (gzip -9) and `<target>.br` (brotli 11) of `source`; sizes (raw, gz, br)."""
    import brotli

    source, target = job
    data = source.read_bytes()
    for suffix, pack in (
        (".gz", lambda d: gzip.compress(d, 9, mtime=0)),
        (".br", lambda d: brotli.compress(d, quality=11)),
    ):
        packed = target.with_name(target.name + suffix)
        if not packed.exists():
            partial = packed.with_name(packed.name + ".part")
            partial.write_bytes(pack(data))
            partial.replace(packed)
    gz, br = (target.with_name(target.name + s).stat().st_size for s in (".gz", ".br"))
    return len(data), gz, br


def precompress(source: Path, target: Path) -> tuple[int, int, int]:
    """Copy Streamlit's static bundles to `target` with `.gz` and `.br` beside each compressible file.

    Done once per Streamlit version (the target is named for it): brotli's best level takes about a minute
    of CPU for all bundles. Returns the bytes of the compressible files: raw, gzip, brotli.
    """
    from concurrent.futures import ProcessPoolExecutor

    jobs = []
    for path in source.rglob("*"):
        if not path.is_file():
            continue
        out = target / path.relative_to(source)
        out.parent.mkdir(parents=True, exist_ok=True)
        if not out.exists() or out.stat().st_size != path.stat().st_size:
            shutil.copyfile(path, out)
        if path.suffix in COMPRESSIBLE:
            jobs.append((path, out))
    with ProcessPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
        sizes = list(pool.map(_compress, jobs, chunksize=8))
    return tuple(sum(column) for column in zip(*sizes, strict=True)) if sizes else (0, 0, 0)


def static_cache() -> Path:
    """Where the pre-compressed bundles of the installed Streamlit live: beside the venv that holds it."""
    import streamlit

    return Path(sys.prefix) / "share" / "integrationsregion" / f"streamlit-{streamlit.__version__}-static"


def streamlit_static() -> Path:
    import streamlit

    return Path(streamlit.__file__).parent / "static" / "static"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def supervisord_conf(*, run_dir: Path, log_dir: Path, programs: dict[str, tuple[str, int]]) -> str:
    """supervisord configuration: one program per process, restarted when it dies."""
    lines = [
        "[supervisord]",
        "nodaemon=true",
        f"logfile={log_dir}/supervisord.log",
        f"pidfile={run_dir}/supervisord.pid",
        f"childlogdir={log_dir}",
        "",
        "[unix_http_server]",
        f"file={run_dir}/supervisor.sock",
        "chmod=0700",
        "",
        "[rpcinterface:supervisor]",
        "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "",
        "[supervisorctl]",
        f"serverurl=unix://{run_dir}/supervisor.sock",
    ]
    for name, (command, priority) in programs.items():
        lines += [
            "",
            f"[program:{name}]",
            f"command={command.replace('%', '%%')}",
            f"directory={REPO}",
            f"priority={priority}",
            "autorestart=true",
            "startsecs=2",
            "startretries=20",
            "stopsignal=TERM",
            "stopwaitsecs=15",
            "stopasgroup=true",
            "killasgroup=true",
            "redirect_stderr=true",
            f"stdout_logfile={log_dir}/{name}.log",
            "stdout_logfile_maxbytes=20MB",
            "stdout_logfile_backups=3",
        ]
    return "\n".join(lines) + "\n"


def _running(sock: Path) -> bool:
    """True when a supervisord of this state dir answers on its socket."""
    if not sock.exists():
        return False
    with socket.socket(socket.AF_UNIX) as s:
        try:
            s.connect(str(sock))
        except OSError:
            return False
    return True


def _shared_secret(env_name: str, state_file: Path) -> str:
    """A secret all processes share: from the environment, else kept in the state dir (mode 0600)."""
    if os.environ.get(env_name):
        return os.environ[env_name]
    if state_file.exists():
        return state_file.read_text(encoding="utf-8").strip()
    value = secrets.token_urlsafe(24)
    state_file.touch(mode=0o600)
    state_file.write_text(value + "\n", encoding="utf-8")
    return value


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Produktions-Set: nginx + Streamlit-Replikate + Live + Redis"
    )
    parser.add_argument("--port", type=int, default=8080, help="Port des Proxys (0: ein freier)")
    parser.add_argument("--host", default="127.0.0.1", help="Adresse des Proxys (0.0.0.0: alle)")
    parser.add_argument("--replicas", type=int, default=2, help="Streamlit-Prozesse")
    parser.add_argument("--live-workers", type=int, default=1, help="Prozesse für /live")
    parser.add_argument("--base-path", default="", help="Basispfad, z. B. /integration")
    parser.add_argument("--redis-url", default="", help="vorhandenes Redis statt eines eigenen redis-server")
    args = parser.parse_args(argv)
    if args.replicas < 1 or args.live_workers < 1:
        parser.error("--replicas und --live-workers müssen ≥ 1 sein")
    return args


def main(argv: list[str]) -> None:
    if argv[:1] == ["nginx-conf"]:
        print_conf(argv[1:])
        return
    if argv[:1] == ["precompress"] and len(argv) <= 2:
        raw, gz, br = precompress(streamlit_static(), Path(argv[1]) if len(argv) == 2 else static_cache())
        print(f"{raw / 1e6:.1f} MB → gzip {gz / 1e6:.1f} MB, brotli {br / 1e6:.1f} MB")
        return
    sys.path.insert(0, str(REPO / "src"))
    from integrationsregion.settings import get_settings

    args = parse_args(argv)
    base = normalize_base(args.base_path)
    settings = get_settings()
    serve_dir = settings.state_dir / "serve"
    run_dir, log_dir = serve_dir / "run", serve_dir / "logs"
    if _running(run_dir / "supervisor.sock"):
        raise SystemExit(
            f"Das Produktions-Set mit {settings.state_dir} läuft schon (beenden: Strg+C dort, oder "
            f"`.venv/bin/supervisorctl -c {serve_dir / 'supervisord.conf'} shutdown`)."
        )
    for folder in (run_dir, log_dir, settings.state_dir / "redis"):
        folder.mkdir(parents=True, exist_ok=True)
    for tool in ("nginx", "redis-server") if not args.redis_url else ("nginx",):
        if not shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin"):
            raise SystemExit(f"{tool} fehlt: als root `apt-get install -y {tool}` (Debian-Paket).")
    static_root = static_cache()
    if not static_root.exists():
        print(
            "[integrationsregion] Komprimiere Streamlits Bundles für nginx (einmal je Streamlit-Version, ~1–2 min) …",
            file=sys.stderr,
            flush=True,
        )
    raw, gz, br = precompress(streamlit_static(), static_root)
    brotli_module = str(BROTLI_MODULE) if BROTLI_MODULE.exists() else None
    if brotli_module is None:
        print(
            "[integrationsregion] Hinweis: nginx ohne Brotli-Modul (Debian: libnginx-mod-http-brotli-static), "
            "erste Besuche übertragen dann gzip (~20 % mehr).",
            file=sys.stderr,
        )

    port = args.port or free_port()
    apps = [free_port() for _ in range(args.replicas)]
    lives = [free_port() for _ in range(args.live_workers)]
    redis_port = free_port()
    redis_url = args.redis_url or f"redis://127.0.0.1:{redis_port}/0"

    conf_path = serve_dir / "nginx.conf"
    conf_path.write_text(
        nginx_conf(
            Topology(
                listen=f"{args.host}:{port}",
                base=base,
                apps=[f"127.0.0.1:{p}" for p in apps],
                lives=[f"127.0.0.1:{p}" for p in lives],
                static_root=str(static_root),
                run_dir=str(run_dir),
                log_dir=str(log_dir),
                brotli_module=brotli_module,
                worker_user="root" if os.geteuid() == 0 else None,
            )
        ),
        encoding="utf-8",
    )
    venv_bin = Path(sys.executable).parent
    programs: dict[str, tuple[str, int]] = {}
    if not args.redis_url:
        programs["redis"] = (
            f"{shutil.which('redis-server')} --port {redis_port} --bind 127.0.0.1 "
            f"--dir {settings.state_dir / 'redis'} --appendonly yes --appendfsync everysec --save 60 1",
            10,
        )
    for i, p in enumerate(apps, 1):
        programs[f"app{i}"] = (
            f"{venv_bin / 'streamlit'} run app.py --server.port {p} --server.address 127.0.0.1 "
            f"--server.headless true --server.baseUrlPath '{base.strip('/')}'",
            20,
        )
    for i, p in enumerate(lives, 1):
        programs[f"live{i}"] = (
            f"{venv_bin / 'uvicorn'} --factory integrationsregion.live.routes:standalone_app "
            f"--host 127.0.0.1 --port {p} --proxy-headers --forwarded-allow-ips 127.0.0.1 "
            f"--root-path '{base}' --timeout-keep-alive 15 --log-level warning",
            20,
        )
    nginx = shutil.which("nginx", path=os.environ.get("PATH", "") + ":/usr/sbin")
    programs["proxy"] = (f"{nginx} -p {run_dir} -c {conf_path} -g 'daemon off;'", 30)
    sup_path = serve_dir / "supervisord.conf"
    sup_path.write_text(
        supervisord_conf(run_dir=run_dir, log_dir=log_dir, programs=programs),
        encoding="utf-8",
    )

    os.environ.update(
        IR_LIVE_BACKEND="redis",
        IR_REDIS_URL=redis_url,
        IR_STATE_DIR=str(settings.state_dir),
        IR_PRESENTER_TOKEN=settings.presenter_token
        or _shared_secret("IR_PRESENTER_TOKEN", serve_dir / "presenter_token"),
        IR_DEVICE_SECRET=settings.device_secret
        or _shared_secret("IR_DEVICE_SECRET", serve_dir / "device_secret"),
        STREAMLIT_SERVER_COOKIE_SECRET=_shared_secret(
            "STREAMLIT_SERVER_COOKIE_SECRET", serve_dir / "cookie_secret"
        ),
    )
    url = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{port}{base}/"
    (serve_dir / "serve.json").write_text(
        json.dumps(
            {
                "url": url,
                "port": port,
                "base_path": base,
                "apps": apps,
                "live_workers": lives,
                "redis_url": redis_url,
                "supervisord_conf": str(sup_path),
                "nginx_conf": str(conf_path),
                "logs": str(log_dir),
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    print(
        f"[integrationsregion] Bundles {raw / 1e6:.1f} MB → gzip {gz / 1e6:.1f} MB, brotli {br / 1e6:.1f} MB. "
        f"Starte nginx + {args.replicas} Replikat(e) + {args.live_workers} Live-Prozess(e) + Redis: {url}\n"
        f"[integrationsregion] Protokolle: {log_dir}/   Beenden: Strg+C. "
        f"Moderations-Token: {serve_dir / 'presenter_token'} (falls nicht gesetzt)",
        file=sys.stderr,
        flush=True,
    )
    supervisord = venv_bin / "supervisord"
    os.execv(str(supervisord), [str(supervisord), "-c", str(sup_path)])


def print_conf(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="serve.py nginx-conf")
    parser.add_argument("--listen", required=True)
    parser.add_argument("--base-path", default="")
    parser.add_argument("--app", action="append", required=True)
    parser.add_argument("--live", action="append", required=True)
    parser.add_argument("--static-root", required=True)
    parser.add_argument("--run-dir", required=True)
    parser.add_argument("--log-dir", required=True)
    args = parser.parse_args(argv)
    print(
        nginx_conf(
            Topology(
                listen=args.listen,
                base=normalize_base(args.base_path),
                apps=args.app,
                lives=args.live,
                static_root=args.static_root,
                run_dir=args.run_dir,
                log_dir=args.log_dir,
                brotli_module=str(BROTLI_MODULE),
            )
        ),
        end="",
    )


if __name__ == "__main__":
    main(sys.argv[1:])
