import asyncio

import pytest

from media.keyframe_bridge import KeyframeBridge
from media.keyframe_limiter import Decision, KeyframeRequestLimiter
from tests.support.fake_clock import FakeClock


def test_first_request_is_sent_at_once():
    assert KeyframeRequestLimiter(0.5).request(10.0).decision is Decision.SEND_NOW


def test_requests_inside_the_interval_coalesce_into_one_deferred_pli():
    limiter = KeyframeRequestLimiter(0.5)
    limiter.request(10.0)
    deferred = limiter.request(10.1)
    assert deferred.decision is Decision.DEFER and deferred.delay == pytest.approx(0.4)
    assert limiter.request(10.2).decision is Decision.COALESCED
    limiter.deferred_due(10.5)
    assert limiter.sent == 2 and limiter.requests == 3
    assert limiter.request(10.6).decision is Decision.DEFER


def test_after_the_interval_requests_go_at_once():
    limiter = KeyframeRequestLimiter(0.5)
    limiter.request(10.0)
    assert limiter.request(10.5).decision is Decision.SEND_NOW


def test_a_keyframe_cancels_the_deferred_request():
    limiter = KeyframeRequestLimiter(0.5)
    limiter.request(10.0)
    limiter.request(10.1)
    assert limiter.keyframe_received() is True
    assert not limiter.pending and limiter.request(10.2).decision is Decision.DEFER


def test_at_most_one_pli_per_interval_under_a_storm():
    limiter = KeyframeRequestLimiter(0.25)
    sent, due = [], None
    for step in range(1000):  # 1000 requests over 10 s
        now = step * 0.01
        if due is not None and now >= due - 1e-9:
            limiter.deferred_due(now)
            sent.append(now)
            due = None
        decision = limiter.request(now)
        if decision.decision is Decision.SEND_NOW:
            sent.append(now)
        elif decision.decision is Decision.DEFER:
            due = now + decision.delay
    assert len(sent) >= 30
    assert all(b - a >= 0.25 - 1e-9 for a, b in zip(sent, sent[1:]))


async def test_bridge_sends_now_then_once_later_and_closes_cleanly():
    clock, sent = FakeClock(), []

    async def send_pli() -> bool:
        sent.append(clock.monotonic())
        return True

    bridge = KeyframeBridge(send_pli, min_interval=0.1, clock=clock.monotonic, sleep=clock.sleep)
    for _ in range(10):
        bridge.request("test")
    await clock.advance(0.3)
    assert len(sent) == 2 and sent[1] - sent[0] >= 0.09
    assert sent[1] - sent[0] == pytest.approx(0.1)  # the deferred PLI goes exactly one interval later
    bridge.request("again")
    bridge.request("again")
    await clock.advance(0.02)
    await bridge.close()
    bridge.request("after close")
    await clock.advance(0.15)
    assert len(sent) == 3 and clock.pending == []


async def test_bridge_drops_the_deferred_pli_when_a_keyframe_arrives():
    clock, sent = FakeClock(), []

    async def send_pli() -> bool:
        sent.append(1)
        return True

    bridge = KeyframeBridge(send_pli, min_interval=0.1, clock=clock.monotonic, sleep=clock.sleep)
    bridge.request("a")
    bridge.request("b")
    await asyncio.sleep(0)
    assert clock.pending == [pytest.approx(0.1)]  # the deferred PLI is waiting
    bridge.keyframe_received()
    await clock.advance(0.2)
    assert sent == [1]
    await bridge.close()


async def test_the_deferred_pli_waits_out_the_interval_and_no_longer():
    clock, sent = FakeClock(), []

    async def send_pli() -> bool:
        sent.append(clock.monotonic())
        return True

    bridge = KeyframeBridge(send_pli, min_interval=1.0, clock=clock.monotonic, sleep=clock.sleep)
    bridge.request("a")
    await clock.advance(0.25)
    bridge.request("b")  # 0.75 s of the interval left (times exact in binary: no rounding at the edge)
    await clock.advance(0.625)
    assert len(sent) == 1
    await clock.advance(0.125)
    assert len(sent) == 2 and sent[1] - sent[0] == 1.0
    await bridge.close()
