"""The real ``steadyline`` command (the console script installed beside this Python), run in its own
process with only the environment a test gives it."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from asyncio.subprocess import PIPE, STDOUT
from pathlib import Path

from tests.conftest import TEST_AUDIT_SECRET, TEST_FIELD_KEYS, TEST_SECRET
from tests.support.tls import dev_certificate, trusting_session

STEADYLINE = Path(sys.executable).parent / "steadyline"


def cli_env(**settings: str) -> dict[str, str]:
    """The process environment without any STEADYLINE_* of the caller's, plus ``settings`` as STEADYLINE_*."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("STEADYLINE_")}
    return env | {f"STEADYLINE_{name.upper()}": value for name, value in settings.items()}


async def steadyline(*args: str, env: dict[str, str], cwd: Path | str | None = None,
                     timeout: float = 120) -> tuple[int, str]:
    """Run ``steadyline ARGS``; its exit code and everything it printed."""
    process = await asyncio.create_subprocess_exec(str(STEADYLINE), *args, env=env, cwd=cwd, stdout=PIPE,
                                                   stderr=STDOUT)
    output, _ = await asyncio.wait_for(process.communicate(), timeout=timeout)
    return process.returncode, output.decode()


async def serve(workdir: Path, database_url: str, redis_url: str | None, port: int,
                **settings: str) -> asyncio.subprocess.Process:
    """Start ``python -m server serve`` (one more node, or the only one with no ``redis_url``) on ``port``
    with the test secrets and the development certificate, and wait until it is ready; it logs to
    ``workdir/serve.log``."""
    cert, key = dev_certificate()
    if redis_url is not None:
        settings = {"redis_url": redis_url, **settings}
    env = cli_env(database_url=database_url, jwt_secret=TEST_SECRET,
                  field_keys=TEST_FIELD_KEYS, audit_secret=TEST_AUDIT_SECRET, audit_checkpoint_interval="0",
                  tls_cert=str(cert), tls_key=str(key), port=str(port), log_level="WARNING", **settings)
    log = open(workdir / "serve.log", "wb")  # noqa: SIM115, ASYNC230 - the process writes to it until it ends
    process = await asyncio.create_subprocess_exec(sys.executable, "-m", "server", "serve", env=env, cwd=workdir,
                                                   stdout=log, stderr=log)
    log.close()
    deadline = time.monotonic() + 60
    async with trusting_session() as http:
        while True:
            try:
                async with http.get(f"https://localhost:{port}/readyz") as response:
                    if response.status == 200:
                        return process
            except OSError:
                pass
            assert process.returncode is None, (workdir / "serve.log").read_text()
            assert time.monotonic() < deadline, "serve did not become ready"
            await asyncio.sleep(0.2)
