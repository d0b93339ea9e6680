"""The container description matches the tested topology: compose's nginx configuration is the template
that the deployment tests run, rendered for the compose service names."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_DIR

COMPOSE_CONF = REPO_DIR / "deploy" / "compose" / "nginx.conf"
RENDER = [
    "nginx-conf",
    "--listen=8080",
    "--app=app1:8501",
    "--app=app2:8501",
    "--live=live1:8000",
    "--static-root=/srv/static",
    "--run-dir=/var/cache/nginx-ir",
    "--log-dir=/var/log/nginx",
]


def test_compose_nginx_conf_is_the_rendered_template():
    rendered = subprocess.run(
        [sys.executable, "deploy/serve.py", *RENDER], cwd=REPO_DIR, capture_output=True, text=True, check=True
    ).stdout
    assert COMPOSE_CONF.read_text(encoding="utf-8") == rendered, (
        f"deploy/compose/nginx.conf is stale: python deploy/serve.py {' '.join(RENDER)} > {COMPOSE_CONF.name}"
    )


def test_compose_services_are_the_upstreams_of_its_proxy():
    compose = (REPO_DIR / "compose.yaml").read_text(encoding="utf-8")
    conf = COMPOSE_CONF.read_text(encoding="utf-8")
    for service in ("redis", "app1", "app2", "live1", "proxy"):
        assert f"\n  {service}:" in compose, f"compose.yaml has no service {service}"
    for upstream in ("app1:8501", "app2:8501", "live1:8000"):
        assert f"server {upstream} " in conf
