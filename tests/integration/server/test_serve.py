"""`steadyline serve` as a process: it migrates, serves, and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.request

from tests.conftest import TEST_AUDIT_SECRET, TEST_FIELD_KEYS, TEST_SECRET
from tests.support.services import free_port
from tests.support.tls import dev_certificate, trusting_session, trusting_ssl_context
from tests.support.world import SocketClient


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


async def test_sigterm_tells_connected_clients_to_reconnect_before_it_stops(tmp_path):
    """The real process: a client in the demo session gets ``server_restarting`` and is closed at once
    on SIGTERM (a browser then reconnects through the load balancer), and the process exits cleanly."""
    port = free_port()
    cert, key = dev_certificate()
    env = {**os.environ, "STEADYLINE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'serve.db'}",
           "STEADYLINE_JWT_SECRET": TEST_SECRET, "STEADYLINE_FIELD_KEYS": TEST_FIELD_KEYS,
           "STEADYLINE_TLS_CERT": str(cert), "STEADYLINE_TLS_KEY": str(key), "STEADYLINE_PORT": str(port),
           "STEADYLINE_DEMO": "true", "STEADYLINE_LOG_LEVEL": "WARNING", "STEADYLINE_DRAIN_SECONDS": "10",
           "STEADYLINE_AUDIT_SECRET": TEST_AUDIT_SECRET, "STEADYLINE_AUDIT_CHECKPOINT_INTERVAL": "0"}
    server = await asyncio.create_subprocess_exec(sys.executable, "-m", "server", "serve", env=env, cwd=tmp_path,
                                                  stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    client = SocketClient(f"https://localhost:{port}")
    try:
        join_url = None
        while join_url is None:
            line = (await asyncio.wait_for(server.stdout.readline(), 60)).decode()
            assert line, "serve stopped before printing the demo"
            if "Client join link:" in line:
                join_url = line.split("Client join link:")[1].strip()
        async with trusting_session() as http:
            async with http.post(f"https://localhost:{port}/api/join",
                                 json={"token": join_url.split("#", 1)[1]}) as response:
                assert response.status == 200, await response.text()
                token = (await response.json())["participant_token"]
        await client.connect(token)
        assert (await client.call("join"))["ok"]

        started = time.monotonic()
        server.send_signal(signal.SIGTERM)
        told = await client.wait_for("server_restarting", timeout=5)
        while client.connected and time.monotonic() - started < 5:
            await asyncio.sleep(0.05)
        closed_after = time.monotonic() - started
        assert told["reason"] == "server_restarting" and not client.connected
        assert closed_after < 2, closed_after  # not at the end of the 10 s drain, nor at a ping timeout
        assert await asyncio.wait_for(server.wait(), 30) == 0
    finally:
        await client.close()
        if server.returncode is None:
            server.kill()
            await server.wait()
