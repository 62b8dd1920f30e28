"""``steadyline loadtest``: run a load test from the command's options and print what it measured.
Exit status 0 when every participant joined and nothing failed, 1 otherwise, 2 when it could not start."""

from __future__ import annotations

import argparse
import asyncio
import sys

import aiohttp

from .errors import ApiError, InvalidOptionsError, SetupError
from .options import LoadOptions, options_from
from .report import load_average
from .run import run_load_test


def _describe(options: LoadOptions) -> str:
    who = (f"{options.participants} clients in {options.rooms} group session(s) of up to {options.room_size} "
           "(+ a synthetic host each)" if options.token else f"{options.participants} join link(s)")
    camera = (f"a pre-encoded {options.video.label} clip, received frames counted from RTP headers (--light)"
              if options.light else f"camera {options.video.label}")
    return (f"Load test against {options.url}: {who}, {options.duration:g} s, {camera}, "
            f"{options.processes} load-generating process(es) at most")


def run_command(args: argparse.Namespace) -> int:
    try:
        options = options_from(args)
    except InvalidOptionsError as exc:
        print(f"steadyline loadtest: {exc}", file=sys.stderr)
        return 2
    print(_describe(options), flush=True)
    try:
        summary = asyncio.run(run_load_test(options))
    except (ApiError, SetupError, aiohttp.ClientError) as exc:
        print(f"steadyline loadtest: could not set up the run: {exc}", file=sys.stderr)
        return 2
    print("\n".join(summary.lines(options.video.fps)))
    print(load_average())
    return 0 if summary.error_count == 0 and summary.joined == summary.participants else 1
