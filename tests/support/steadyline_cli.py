"""The real ``steadyline`` command (the console script installed beside this Python), run in its own
process with only the environment a test gives it."""

from __future__ import annotations

import asyncio
import os
import sys
from asyncio.subprocess import PIPE, STDOUT
from pathlib import Path

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
