# Steadyline server image: slim Python, non-root user, health check on /healthz.
# Installed editable so the browser client in /app/static is served from beside the packages.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    STEADYLINE_HOST=0.0.0.0 STEADYLINE_PORT=8443 \
    STEADYLINE_TLS_CERT= STEADYLINE_TLS_KEY= \
    STEADYLINE_DATABASE_URL=sqlite+aiosqlite:////data/steadyline.db \
    STEADYLINE_AUDIT_KEY_FILE=/data/audit-key \
    STEADYLINE_AUDIT_SIGNING_KEY_FILE=/data/audit-signing-key.pem \
    STEADYLINE_AUDIT_PUBLIC_KEY_FILE=/data/audit-public-key.pem \
    STEADYLINE_AUDIT_CHECKPOINT_FILE=/data/audit-checkpoints.jsonl
# The server refuses to start without its audit keys: make them once in the volume with
# `steadyline audit init-keys` (keep a copy of the public key away from this host to verify against).

WORKDIR /app
COPY pyproject.toml setup.py README.md ./
COPY server ./server
COPY signaling ./signaling
COPY media ./media
COPY handoff ./handoff
COPY loadtest ./loadtest
COPY static ./static
# gcc only while installing: it builds media._fanout, the SFU's C send path (optional; without it
# forwarding works from Python at more CPU per subscriber), and is removed again.
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev \
    && pip install -e . && python -c "import media._fanout" \
    && apt-get purge -y gcc libc6-dev && apt-get autoremove -y && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app steadyline \
    && mkdir -p /data && chown steadyline /data

USER steadyline
VOLUME ["/data"]
EXPOSE 8443
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"STEADYLINE_PORT\"]}/healthz', timeout=2)"
CMD ["steadyline", "serve"]
