"""``steadyline loadtest`` as people run it: against a real ``steadyline serve`` process over TLS with the
development certificate, from a staff access token, with a few synthetic participants for a few seconds."""

from __future__ import annotations

import re

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


async def test_loadtest_joins_participants_and_receives_their_video_with_no_errors(tmp_path):
    port = free_port()
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'load.db'}"
    code, output = await steadyline("create-staff", "--email", STAFF_EMAIL, "--name", "Load Lead", cwd=tmp_path,
                                    env=cli_env(database_url=database_url, jwt_secret=TEST_SECRET, field_keys=TEST_FIELD_KEYS,
                                                audit_secret=TEST_AUDIT_SECRET, new_staff_password=STAFF_PASSWORD))
    assert code == 0, output
    server = await serve(tmp_path, database_url, None, port)
    try:
        token = await _staff_token(port)
        code, output = await steadyline(
            "loadtest", "--url", f"https://localhost:{port}", "--cafile", str(dev_certificate()[0]),
            "--participants", "3", "--room-size", "3", "--duration", "8", "--video", "160x120", "--no-progress",
            env=cli_env(loadtest_token=token), cwd=tmp_path, timeout=60)
    finally:
        server.terminate()
        await server.wait()
    print(output)  # pytest -s shows the figures
    assert code == 0, output
    assert "joins: 3/3" in output, output
    assert re.search(r"first frame: p50 \d+ ms, p95 \d+ ms \(3 of 3 participants received video\)", output), output
    fps = re.search(r"fps received: ([\d.]+) per stream median .* over (\d+) streams", output)
    assert fps and float(fps[1]) > 1 and int(fps[2]) >= 9, output  # each client: the host and the two others
    assert "errors: 0" in output and "load average" in output, output
