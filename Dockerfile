# syntax=docker/dockerfile:1
# Integrationsregion Ruhr: one image for the Streamlit replicas and the live workers (target `app`), and an
# nginx image with Streamlit's bundles pre-compressed (target `proxy`). compose.yaml wires them with Redis.
#   docker build --target app -t integrationsregion-app .
#   docker build --target proxy -t integrationsregion-proxy .
# Written without a container runtime at hand: see docs/DEPLOY.md ("Container").

FROM python:3.11-slim-bookworm AS app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
# Dependencies first (cached while only the code changes), exactly as pinned, every file hash-checked.
COPY requirements.lock ./
RUN python -m pip install --require-hashes --only-binary :all: -r requirements.lock
COPY pyproject.toml README.md ./
COPY src ./src
RUN python -m pip install --no-deps . && rm -rf build src/*.egg-info
COPY app.py ./
COPY pages ./pages
COPY data ./data
COPY static ./static
COPY .streamlit/config.toml ./.streamlit/config.toml
COPY deploy/serve.py deploy/*.template ./deploy/
# Runtime state (IR_STATE_DIR) is the only writable place; the snapshot in /app/data is read-only.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin app \
 && mkdir -p /var/lib/integrationsregion && chown app:app /var/lib/integrationsregion
ENV IR_STATE_DIR=/var/lib/integrationsregion IR_LIVE_BACKEND=redis IR_REDIS_URL=redis://redis:6379/0
USER app
EXPOSE 8501
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 CMD \
  python -c "import os, urllib.request; b = os.environ.get('STREAMLIT_SERVER_BASE_URL_PATH', '').strip('/'); urllib.request.urlopen(f'http://127.0.0.1:8501/{b + \"/\" if b else \"\"}_stcore/health', timeout=4)"
CMD ["streamlit", "run", "app.py", "--server.port", "8501", "--server.address", "0.0.0.0", "--server.headless", "true"]

FROM app AS bundles
USER root
RUN python deploy/serve.py precompress /srv/static

FROM debian:bookworm-slim AS proxy
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx libnginx-mod-http-brotli-static \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /var/cache/nginx-ir \
 && chown -R www-data:www-data /var/cache/nginx-ir /var/log/nginx
COPY --from=bundles /srv/static /srv/static
COPY deploy/compose/nginx.conf /etc/nginx/integrationsregion.conf
USER www-data
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD \
  ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]
CMD ["nginx", "-c", "/etc/nginx/integrationsregion.conf", "-g", "daemon off;"]
