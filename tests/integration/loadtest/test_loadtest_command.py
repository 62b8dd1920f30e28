"""``steadyline loadtest`` as people run it: against a real ``steadyline serve`` process over TLS with the
development certificate, from a staff access token, with a few synthetic participants for a few seconds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import TEST_AUDIT_SECRET, TEST_FIELD_KEYS, TEST_SECRET
from tests.support.services import free_port
from tests.support.steadyline_cli import cli_env, serve, steadyline
from tests.support.tls import dev_certificate, trusting_session

STAFF_EMAIL = "load-lead@example.test"
STAFF_PASSWORD = "load test password " + "x" * 8


async def _staff_token(port: int) -> str:
    async with trusting_session() as http, http.post(f"https://localhost:{port}/api/auth/login",
                                                     json={"email": STAFF_EMAIL, "password": STAFF_PASSWORD}) as response:
        assert response.status == 200, await response.text()
        return (await response.json())["access_token"]


async def _load_test(workdir: Path, *options: str) -> str:
    """Serve a fresh database with one therapist and run ``steadyline loadtest OPTIONS`` from their token."""
    port = free_port()
    database_url = f"sqlite+aiosqlite:///{workdir / 'load.db'}"
    code, output = await steadyline("create-staff", "--email", STAFF_EMAIL, "--name", "Load Lead", cwd=workdir,
                                    env=cli_env(database_url=database_url, jwt_secret=TEST_SECRET, field_keys=TEST_FIELD_KEYS,
                                                audit_secret=TEST_AUDIT_SECRET, new_staff_password=STAFF_PASSWORD))
    assert code == 0, output
    server = await serve(workdir, database_url, None, port)
    try:
        token = await _staff_token(port)
        code, output = await steadyline(
            "loadtest", "--url", f"https://localhost:{port}", "--cafile", str(dev_certificate()[0]), *options,
            "--video", "160x120", "--no-progress", env=cli_env(loadtest_token=token), cwd=workdir, timeout=90)
    finally:
        server.terminate()
        await server.wait()
    print(output)  # pytest -s shows the figures
    assert code == 0, output
    return output


@pytest.mark.parametrize(("options", "clients", "streams", "processes"), [
    # one session of three clients and its host, one process: each client receives the host and two others
    (("--participants", "3", "--room-size", "3"), 3, 9, 1),
    # two sessions of one client each, one process per session: each client receives its host
    (("--participants", "2", "--room-size", "1", "--processes", "2"), 2, 2, 2),
    # the light members: a pre-encoded clip out, frames counted from RTP headers in
    (("--participants", "3", "--room-size", "3", "--light"), 3, 9, 1),
])
async def test_loadtest_joins_participants_and_receives_their_video_with_no_errors(tmp_path, options, clients,
                                                                                   streams, processes):
    output = await _load_test(tmp_path, *options, "--duration", "8")
    assert f"joins: {clients}/{clients}" in output, output
    assert re.search(rf"first frame: p50 \d+ ms, p95 \d+ ms \({clients} of {clients} participants received video\)",
                     output), output
    fps = re.search(r"fps received: ([\d.]+) per stream median .* over (\d+) streams", output)
    assert fps and float(fps[1]) > 1 and int(fps[2]) == streams, output
    assert f"in {processes} process(es)" in output, output
    assert "errors: 0" in output and "load average" in output, output
