"""`steadyline serve` as a process: it migrates, serves, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request

from tests.conftest import TEST_AUDIT_SECRET, TEST_FIELD_KEYS, TEST_SECRET
from tests.support.services import free_port
from tests.support.tls import dev_certificate, trusting_ssl_context


def test_serve_migrates_answers_health_and_drains_on_sigterm(tmp_path):
    port = free_port()
    cert, key = dev_certificate()
    env = {**os.environ, "STEADYLINE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
           "STEADYLINE_JWT_SECRET": TEST_SECRET, "STEADYLINE_FIELD_KEYS": TEST_FIELD_KEYS,
           "STEADYLINE_TLS_CERT": str(cert), "STEADYLINE_TLS_KEY": str(key), "STEADYLINE_PORT": str(port),
           "STEADYLINE_DEMO": "true", "STEADYLINE_LOG_LEVEL": "WARNING", "STEADYLINE_DRAIN_SECONDS": "2",
           "STEADYLINE_AUDIT_SECRET": TEST_AUDIT_SECRET, "STEADYLINE_AUDIT_CHECKPOINT_INTERVAL": "0"}
    server = subprocess.Popen([sys.executable, "-m", "server", "serve"], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"https://localhost:{port}/readyz", timeout=2,
                                            context=trusting_ssl_context()) as response:
                    assert response.status == 200
                    break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "server did not become ready"
                time.sleep(0.2)
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode == 0, err
    assert "Client join link:" in out and "/join#" in out  # the demo prints a call within a minute
    assert "password" in out.lower()
