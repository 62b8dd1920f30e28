"""Twelve real aiortc peers in one MediaRoom: everyone decodes everyone."""

import time

from .harness import Group, wait_for

# Small frames (one RTP packet each) at 5 fps and 120 ms Opus frames keep 24 peer
# connections in one Python process within a loaded 2-core machine.
SMALL = {"size": (160, 120), "fps": 5, "long_audio_frames": True}


def others(group: Group, participant_id: str) -> set[str]:
    return set(group.clients) - {participant_id}


def missing(group: Group, since: float = 0.0) -> list[tuple[str, str, str]]:
    """(subscriber, publisher, kind) not decoded since ``since``."""
    return [
        (pid, publisher, kind)
        for pid, client in group.clients.items()
        for kind in ("video", "audio")
        for publisher in others(group, pid) - client.publishers_seen(kind, since)
    ]


def everyone_receives_everyone(group: Group, since: float = 0.0) -> bool:
    return not missing(group, since)


async def test_twelve_participants_each_decode_all_others(group: Group, caplog):
    for index in range(11):
        await group.join(f"p{index}", **SMALL)
    assert await wait_for(lambda: everyone_receives_everyone(group), timeout=60), missing(group)

    started = time.monotonic()
    late = await group.join("late", **SMALL)
    assert await wait_for(lambda: everyone_receives_everyone(group, since=started), timeout=60), (
        missing(group, started)[:6],
        late.pc.connectionState,
        [p for p in group.room.stats().publications if p.publisher_id == "late"],
    )

    checkpoint = time.monotonic()
    assert await wait_for(lambda: everyone_receives_everyone(group, since=checkpoint), timeout=60), missing(
        group, checkpoint
    )
    assert sum(c.decode_errors for c in group.clients.values()) == 0
    assert sum(p.incomplete_frames for p in group.room.stats().publications) >= 0  # reported, see harness
    assert not [r for r in caplog.records if "failed to decode" in r.getMessage()]
    stats = group.room.stats()
    assert len(stats.subscriptions) == 12 * 11 * 2
    assert all(s.forwarded > 0 for s in stats.subscriptions)
    assert {p.codec for p in stats.publications} == {"VP8", "opus"}


async def test_late_joiner_decodes_every_video_within_one_second(group: Group):
    for index in range(5):
        await group.join(f"p{index}", **SMALL)
    assert await wait_for(lambda: everyone_receives_everyone(group), timeout=60), missing(group)

    started = time.monotonic()
    late = await group.join("late", **SMALL)
    assert await wait_for(lambda: late.publishers_seen("video", started) == others(group, "late"), timeout=60)

    # From the moment the late joiner's subscriptions are negotiated (what the SFU controls: keyframe
    # gating and the PLI bridge), not counting ICE/DTLS set-up, which a loaded machine stretches.
    subscribed = late.first_answer_at
    first_frames = {p: late.first_frame_after(p, "video", started) - subscribed for p in others(group, "late")}
    assert max(first_frames.values()) < 1.0, first_frames
    assert late.decode_errors == 0


async def test_six_participants_decode_all_others_on_the_pure_python_send_path(group: Group, monkeypatch):
    """Without the C extension (forced off here) every subscriber builds, protects and sends its
    packets in Python: no fan-out batch, the same datagrams."""
    from media import datagram_batch, fanout_group

    monkeypatch.setattr(datagram_batch, "NATIVE", False)
    assert fanout_group.new_batch() is None
    for index in range(6):
        await group.join(f"p{index}", **SMALL)
    assert await wait_for(lambda: everyone_receives_everyone(group), timeout=60), missing(group)
    checkpoint = time.monotonic()
    assert await wait_for(lambda: everyone_receives_everyone(group, since=checkpoint), timeout=60), missing(
        group, checkpoint
    )
    assert sum(c.decode_errors for c in group.clients.values()) == 0
