import asyncio

import pytest
from aiortc.mediastreams import MediaStreamError

from media.encoded_frame import EncodedFrame
from media.forwarding_track import ForwardingTrack


def video(ts: int, key: bool = False) -> EncodedFrame:
    data = (b"\x10\x02\x00\x9d\x01\x2a" if key else b"\x31\x00\x00") + bytes(10)
    return EncodedFrame("video", "VP8", data, ts, 90000, keyframe=key)


async def test_yields_packets_from_the_first_keyframe_on():
    requests = []
    track = ForwardingTrack("video", capacity=10)
    track.switch_source(requests.append)
    track.deliver(video(0))
    track.deliver(video(3000, key=True))
    track.deliver(video(6000))
    first, second = await track.recv(), await track.recv()
    assert (first.pts, second.pts) == (0, 3000)
    assert track.counters().gated == 1


async def test_overflow_asks_for_a_keyframe_and_recovers():
    requests = []
    track = ForwardingTrack("video", capacity=3)
    track.switch_source(requests.append)
    track.deliver(video(0, key=True))
    for n in range(1, 6):
        track.deliver(video(n * 3000))
    assert requests == ["subscriber queue overflow"]
    assert track.counters().dropped >= 3
    track.deliver(video(90000, key=True))
    assert (await track.recv()).pts >= 0


async def test_recv_waits_and_stop_ends_it():
    track = ForwardingTrack("audio", capacity=5)
    waiter = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0.01)
    track.deliver(EncodedFrame("audio", "opus", b"\x01", 960, 48000, keyframe=True))
    assert bytes(await waiter) == b"\x01"
    waiter = asyncio.ensure_future(track.recv())
    await asyncio.sleep(0.01)
    track.stop()
    with pytest.raises(MediaStreamError):
        await waiter


async def test_keyframe_requests_reach_the_current_source_only():
    first, second = [], []
    track = ForwardingTrack("video", capacity=5)
    track.switch_source(first.append)
    track.request_keyframe("pli")
    track.switch_source(second.append)
    track.request_keyframe("pli")
    track.switch_source(None)
    track.request_keyframe("pli")
    assert first == ["pli"] and second == ["pli"]
