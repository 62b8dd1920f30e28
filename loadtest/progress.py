"""The progress bar of a run (tqdm, on stderr): seconds of the run gone, with who has joined, frames
received so far and errors."""

from __future__ import annotations

import asyncio
import sys
import time

from tqdm import tqdm

from .participant import Participant

REFRESH = 0.5


async def show_progress(clients: list[Participant], everyone: list[Participant], until: float,
                        enabled: bool) -> None:
    """Update the bar until the monotonic time ``until``."""
    began = time.monotonic()
    total = max(0.0, until - began)
    with tqdm(total=round(total, 1), unit="s", file=sys.stderr, disable=not enabled,
              bar_format="{l_bar}{bar}| {n:.0f}/{total:.0f} s {postfix}") as bar:
        while (now := time.monotonic()) < until:
            bar.n = round(now - began, 1)
            bar.set_postfix(joined=f"{sum(p.joined_at is not None for p in clients)}/{len(clients)}",
                            frames=sum(p.received.frames for p in clients),
                            errors=sum(len(p.errors) for p in everyone))
            await asyncio.sleep(min(REFRESH, until - now))
        bar.n = bar.total
        bar.refresh()
