"""The progress bar of a run (tqdm, on stderr): seconds of the run gone, with who has joined, frames
received so far and errors."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable

from tqdm import tqdm

from .records import Progress

REFRESH = 0.5


async def show_progress(progress: Callable[[], Progress], until: float, enabled: bool) -> None:
    """Update the bar from ``progress()`` until the monotonic time ``until``."""
    began = time.monotonic()
    with tqdm(total=round(max(0.0, until - began), 1), unit="s", file=sys.stderr, disable=not enabled,
              bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s {postfix}") as bar:
        while (now := time.monotonic()) < until:
            counts = progress()
            bar.n = round(now - began, 1)
            bar.set_postfix(joined=f"{counts.joined}/{counts.clients}", frames=counts.frames, errors=counts.errors)
            await asyncio.sleep(min(REFRESH, until - now))
        bar.n = bar.total
        bar.refresh()
