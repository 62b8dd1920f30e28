"""The newcomer's first call, end to end: the real program started as `make run` starts it
(`steadyline init-dev`, then `steadyline serve`, in an empty working directory, TLS with the
certificate init-dev made), the sign-in and join link read from what it prints, and Chromium as the
therapist and the client reaching two-way video."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.async_api import expect

from tests.browser.pages import admit, client_to_lobby, expect_remote_videos, new_page, pass_device_check
from tests.support.services import free_port
from tests.support.tls import trusting_session

pytestmark = pytest.mark.asyncio(loop_scope="module")

STEADYLINE = str(Path(sys.executable).with_name("steadyline"))
SIGN_IN = re.compile(r"sign in as (\S+) with password (\S+)")
JOIN_LINK = re.compile(r"Client join link:\s+(https://\S+)")


def _environment(port: int) -> dict[str, str]:
    """The newcomer's shell: nothing of ours set but the port (8443 may be taken on a test machine)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("STEADYLINE_")}
    return {**env, "STEADYLINE_PORT": str(port)}


async def _serve(workdir: Path, port: int, last: str = "accept the browser warning",
                 ) -> tuple[asyncio.subprocess.Process, list[str]]:
    """Start `steadyline serve` and read its output up to the line containing ``last``."""
    server = await asyncio.create_subprocess_exec(
        STEADYLINE, "serve", cwd=workdir, env=_environment(port),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    lines: list[str] = []
    while not any(last in line for line in lines):
        line = await asyncio.wait_for(server.stdout.readline(), 60)
        assert line, f"steadyline serve stopped early; it printed: {lines}"
        lines.append(line.decode().rstrip())
    return server, lines


async def test_make_run_then_two_browsers_reach_two_way_video(browser, tmp_path):
    port = free_port()
    init = subprocess.run([STEADYLINE, "init-dev"], cwd=tmp_path, env=_environment(port),
                          capture_output=True, text=True, timeout=60)
    assert init.returncode == 0, init.stderr
    assert (tmp_path / "certs" / "dev-cert.pem").exists()
    server, printed = await _serve(tmp_path, port)
    try:
        text = "\n".join(printed)
        # The last lines before serving are what to open: console, sign-in, client link.
        assert printed[-4].strip() == f"Therapist console: https://localhost:{port}/console"
        email, password = SIGN_IN.search(text).groups()
        join_url = JOIN_LINK.search(text).group(1)
        assert join_url.startswith(f"https://localhost:{port}/join#")

        host_ctx, host = await new_page(browser)
        client_ctx, client = await new_page(browser)
        try:
            await host.goto(f"https://localhost:{port}/console")
            await host.get_by_label("Email").fill(email)
            await host.get_by_label("Password").fill(password)
            await host.get_by_role("button", name="Sign in").click()
            await host.get_by_role("button", name="Start call: Demo individual session").click()
            await pass_device_check(host)
            await expect(host.locator("#call-title")).to_have_text("Demo individual session")

            await client_to_lobby(client, join_url)
            await admit(host, "Demo Client")
            await expect_remote_videos(client, 1)
            await expect_remote_videos(host, 1)
        finally:
            await host_ctx.close()
            await client_ctx.close()
    finally:
        server.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(server.wait(), 30)
    assert code == 0


async def test_a_second_run_says_how_to_get_a_fresh_link_that_works(tmp_path):
    port = free_port()
    env = _environment(port)
    subprocess.run([STEADYLINE, "init-dev"], cwd=tmp_path, env=env, check=True, capture_output=True, timeout=60)
    first = subprocess.run([STEADYLINE, "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert "Client join link:" in first.stdout

    again = subprocess.run([STEADYLINE, "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert again.returncode != 0 and "steadyline demo --new-link" in again.stderr

    # `make run` on the existing database: the hint is what it prints last before serving.
    server, printed = await _serve(tmp_path, port, last="start over by deleting")
    try:
        assert "steadyline demo --new-link" in printed[-2]
        fresh = await asyncio.to_thread(subprocess.run, [STEADYLINE, "demo", "--new-link"], cwd=tmp_path, env=env,
                                        capture_output=True, text=True, timeout=60)
        assert fresh.returncode == 0, fresh.stderr
        email, new_password = SIGN_IN.search(fresh.stdout).groups()
        assert new_password != SIGN_IN.search(first.stdout).group(2)
        join_url = JOIN_LINK.search(fresh.stdout).group(1)
        assert join_url != JOIN_LINK.search(first.stdout).group(1)
        async with trusting_session(tmp_path / "certs" / "dev-cert.pem") as http:
            base = f"https://localhost:{port}"
            async with http.post(base + "/api/auth/login", json={"email": email, "password": new_password}) as r:
                assert r.status == 200
            async with http.post(base + "/api/join", json={"token": join_url.split("#", 1)[1]}) as r:
                assert r.status == 200
    finally:
        server.send_signal(signal.SIGTERM)
        await asyncio.wait_for(server.wait(), 30)
