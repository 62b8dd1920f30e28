"""Mute, leave/rejoin and a stalled participant leave the others' media alone.

Frame rates are compared with each run's own baseline and loosely (the
machine may be busy with other work); no absolute speed is asserted.
"""

import asyncio
import signal
import time

from .harness import Group, wait_for
from .test_group_room import SMALL, everyone_receives_everyone, missing

WINDOW = 2.0
KEEPS_UP = 0.6  # fraction of the baseline rate others must keep


def rates(group: Group, pairs, kind: str, start: float, end: float) -> dict:
    return {
        (sub, pub): group.clients[sub].received[(pub, kind)].count_between(start, end) / (end - start)
        for sub, pub in pairs
    }


def pairs_among(ids):
    return [(a, b) for a in ids for b in ids if a != b]


async def measure(group: Group, pairs, kind: str = "video") -> dict:
    start = time.monotonic()
    await asyncio.sleep(WINDOW)
    return rates(group, pairs, kind, start, time.monotonic())


def assert_kept_up(during: dict, baseline: dict) -> None:
    """Others keep most of the rate they had; a baseline above the sources' rate (frames a
    busy machine delayed, arriving together) counts as the sources' rate."""
    assert all(rate > 0 for rate in during.values()), during
    expected = sum(min(rate, SMALL["fps"]) for rate in baseline.values())
    assert sum(during.values()) >= KEEPS_UP * expected, (during, baseline)


async def start_group(group: Group, count: int = 4) -> list[str]:
    ids = [f"p{i}" for i in range(count)]
    for pid in ids:
        await group.join(pid, **SMALL)
    assert await wait_for(lambda: everyone_receives_everyone(group), timeout=60), missing(group)
    return ids


async def test_mute_and_unmute_affect_only_that_track(group: Group):
    ids = await start_group(group)
    others = pairs_among(ids[1:])
    baseline = await measure(group, others)

    group.room.set_paused("p0", "video", True)
    await asyncio.sleep(0.5)
    start = time.monotonic()
    during = await measure(group, others)
    muted = [group.clients[s].received[("p0", "video")].count_between(start, time.monotonic()) for s in ids[1:]]
    heard = [group.clients[s].received[("p0", "audio")].count_between(start, time.monotonic()) for s in ids[1:]]
    assert muted == [0, 0, 0] and all(heard)
    assert_kept_up(during, baseline)
    assert all(p.paused == (p.publisher_id == "p0" and p.kind == "video") for p in group.room.stats().publications)

    group.room.set_paused("p0", "video", False)
    resumed = time.monotonic()
    assert await wait_for(
        lambda: all("p0" in group.clients[s].publishers_seen("video", resumed) for s in ids[1:]), timeout=30
    )
    assert sum(c.decode_errors for c in group.clients.values()) == 0


async def test_leave_and_rejoin(group: Group):
    ids = await start_group(group)
    staying = pairs_among(ids[:3])
    baseline = await measure(group, staying)
    transceivers = len(group.clients["p0"].pc.getTransceivers())

    await group.leave("p3")
    left = time.monotonic()
    during = await measure(group, staying)
    assert_kept_up(during, baseline)
    await asyncio.sleep(0.3)
    assert all(not group.clients[s].received[("p3", "video")].count_between(left + 0.5, time.monotonic()) for s in ids[:3])
    assert "p3" not in group.room.participants

    rejoined = time.monotonic()
    await group.join("p3", **SMALL)
    assert await wait_for(lambda: everyone_receives_everyone(group, since=rejoined), timeout=60), missing(group, rejoined)
    # p3's old m-lines were negotiated inactive and reused, not added again.
    assert len(group.clients["p0"].pc.getTransceivers()) == transceivers
    assert group.room.track_map("p0").keys() <= {t.mid for t in group.clients["p0"].pc.getTransceivers()}
    assert sum(c.decode_errors for c in group.clients.values()) == 0


async def test_stalled_participant_does_not_disturb_the_others(group: Group):
    ids = await start_group(group, 3)
    remote = await group.join_remote("stalled")
    assert await wait_for(
        lambda: all("stalled" in group.clients[s].publishers_seen("video") for s in ids) and remote.frames["video"] > 0,
        timeout=60,
    )
    others = pairs_among(ids)
    baseline = await measure(group, others)

    remote.signal(signal.SIGSTOP)
    try:
        await asyncio.sleep(0.5)
        during = await measure(group, others)
        audio_during = await measure(group, others, "audio")
    finally:
        remote.signal(signal.SIGCONT)
    assert_kept_up(during, baseline)
    assert all(rate > 0 for rate in audio_during.values())

    before = remote.frames["video"]
    assert await wait_for(lambda: remote.frames["video"] > before + 10, timeout=30), "stalled peer recovers"
    stats = group.room.stats()
    assert all(s.forwarded > 0 for s in stats.subscriptions if s.subscriber_id in ids)
    assert sum(c.decode_errors for c in group.clients.values()) == 0


async def test_audio_only_stops_others_video_to_that_participant_and_resumes_from_a_keyframe(group: Group):
    ids = await start_group(group, count=3)
    listener, others = group.clients["p0"], ids[1:]
    group.room.set_receiving("p0", "video", False)
    await asyncio.sleep(0.5)
    start = time.monotonic()
    await asyncio.sleep(WINDOW)
    end = time.monotonic()
    assert [listener.received[(pub, "video")].count_between(start, end) for pub in others] == [0, 0]
    assert all(listener.received[(pub, "audio")].count_between(start, end) for pub in others), "audio goes on"
    assert all(group.clients[sub].received[("p0", "video")].count_between(start, end) for sub in others), (
        "what p0 publishes is not affected")

    resumed = time.monotonic()
    group.room.set_receiving("p0", "video", True)
    assert await wait_for(lambda: listener.publishers_seen("video", resumed) == set(others), timeout=10)
    assert listener.decode_errors == 0, "video resumes at a keyframe"
