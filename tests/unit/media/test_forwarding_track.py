import asyncio

import pytest
from aiortc.mediastreams import MediaStreamError

from media.encoded_frame import EncodedFrame
from media.forwarding_track import ASK_AGAIN_AFTER_GATED, ForwardingTrack


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


async def test_a_subscriber_still_waiting_for_a_keyframe_asks_again_about_every_second():
    """The first request was lost (e.g. sent before the publisher's new transport was up after a rebuild):
    the frames gated while waiting ask again, once per ASK_AGAIN_AFTER_GATED, until a keyframe comes."""
    requests = []
    track = ForwardingTrack("video", capacity=4 * ASK_AGAIN_AFTER_GATED)  # nobody reads: room for them all
    track.switch_source(requests.append)
    for n in range(2 * ASK_AGAIN_AFTER_GATED + 5):
        track.deliver(video(n * 3000))
    assert requests == ["still waiting for a keyframe"] * 2
    track.deliver(video(0, key=True))
    for n in range(2 * ASK_AGAIN_AFTER_GATED):
        track.deliver(video(n * 3000))
    assert requests == ["still waiting for a keyframe"] * 2  # forwarding: nothing gated, nothing asked


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


class Immediate:
    def __init__(self, ready: bool) -> None:
        self.is_ready = ready
        self.sent: list[int] = []

    def ready(self) -> bool:
        return self.is_ready

    def send_now(self, frame: EncodedFrame, pts: int) -> None:
        self.sent.append(pts)


async def test_an_idle_reader_lets_deliver_send_at_once_after_the_gate():
    track = ForwardingTrack("video", capacity=5)
    track.switch_source(lambda reason: None)
    immediate = Immediate(ready=True)
    track.set_immediate_sender(immediate)
    reader = asyncio.ensure_future(track.next_frame())
    await asyncio.sleep(0.01)
    track.deliver(video(0))  # gated: never sent
    track.deliver(video(3000, key=True))
    track.deliver(video(6000))
    assert immediate.sent == [0, 3000] and not reader.done()
    assert track.counters().forwarded == 2 and track.counters().gated == 1
    immediate.is_ready = False  # e.g. transport not connected: the reader gets it
    track.deliver(video(9000))
    assert (await reader)[1] == 6000 and immediate.sent == [0, 3000]
    track.stop()


async def test_without_a_waiting_reader_frames_queue():
    track = ForwardingTrack("video", capacity=5)
    track.switch_source(lambda reason: None)
    immediate = Immediate(ready=True)
    track.set_immediate_sender(immediate)
    track.deliver(video(0, key=True))
    track.deliver(video(3000))
    assert immediate.sent == []
    assert [(await track.next_frame())[1] for _ in range(2)] == [0, 3000]


async def test_a_subscriber_who_stops_receiving_gets_nothing_and_restarts_at_a_keyframe():
    requests = []
    track = ForwardingTrack("video", capacity=5)
    track.switch_source(requests.append)
    track.deliver(video(0, key=True))
    track.set_receiving(False)  # e.g. audio only
    track.deliver(video(3000))
    track.deliver(video(6000, key=True))
    track.set_receiving(True)
    assert requests == ["subscriber receives again"]
    track.deliver(video(9000))  # not decodable without what was skipped
    track.deliver(video(12000, key=True))
    assert (await track.next_frame())[0].timestamp == 12000
