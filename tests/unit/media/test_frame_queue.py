from dataclasses import dataclass

import pytest

from media.frame_queue import DropToKeyframeQueue, PushResult


@dataclass
class F:
    n: int
    keyframe: bool = False


def test_video_queue_starts_gated_until_a_keyframe():
    q = DropToKeyframeQueue(4, keyframes=True)
    assert q.push(F(1)) is PushResult.GATED
    assert q.push(F(2, True)) is PushResult.QUEUED
    assert q.push(F(3)) is PushResult.QUEUED
    assert [q.pop().n, q.pop().n, q.pop()] == [2, 3, None]
    assert q.counters().gated == 1 and q.counters().forwarded == 2


def test_overflow_drops_everything_and_waits_for_the_next_keyframe():
    q = DropToKeyframeQueue(3, keyframes=True)
    for frame in (F(1, True), F(2), F(3)):
        q.push(frame)
    assert q.push(F(4)) is PushResult.OVERFLOW
    assert len(q) == 0 and q.waiting_for_keyframe
    assert q.push(F(5)) is PushResult.GATED
    assert q.push(F(6, True)) is PushResult.QUEUED
    counters = q.counters()
    assert (counters.dropped, counters.overflows, counters.gated) == (4, 1, 1)


def test_overflow_on_a_keyframe_keeps_it():
    q = DropToKeyframeQueue(2, keyframes=True)
    q.push(F(1, True))
    q.push(F(2))
    assert q.push(F(3, True)) is PushResult.OVERFLOW
    assert not q.waiting_for_keyframe and q.pop().n == 3


def test_audio_overflow_drops_only_the_oldest():
    q = DropToKeyframeQueue(2, keyframes=False)
    q.push(F(1, True))
    q.push(F(2, True))
    assert q.push(F(3, True)) is PushResult.OVERFLOW
    assert [q.pop().n, q.pop().n] == [2, 3]
    assert q.counters().dropped == 1


def test_gate_discards_queued_frames():
    q = DropToKeyframeQueue(4, keyframes=True)
    q.push(F(1, True))
    q.push(F(2))
    q.gate()
    assert len(q) == 0 and q.waiting_for_keyframe and q.counters().gated == 2


def test_bounded_whatever_the_input():
    q = DropToKeyframeQueue(5, keyframes=True)
    for n in range(1000):
        q.push(F(n, n % 50 == 0))
        assert len(q) <= 5


def test_capacity_must_be_positive():
    with pytest.raises(ValueError):
        DropToKeyframeQueue(0, keyframes=True)


def test_pass_through_is_push_and_pop_in_one_step():
    q = DropToKeyframeQueue(4, keyframes=True)
    assert q.pass_through(F(1)) is None, "gated until a keyframe"
    assert q.pass_through(F(2, True)).n == 2
    assert q.pass_through(F(3)).n == 3
    q.push(F(4))
    assert q.pass_through(F(5)).n == 4, "a queued frame goes first"
    assert [q.pop().n, q.pop()] == [5, None]
    assert (q.counters().forwarded, q.counters().gated) == (4, 1)
