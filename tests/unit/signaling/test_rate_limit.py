import pytest

from signaling.rate_limit import TokenBucket


def test_burst_then_refill_at_rate():
    bucket = TokenBucket(rate=2, burst=3, updated=0.0)
    assert [bucket.take(now=0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(now=0.5) is True  # one token back after half a second at 2/s
    assert bucket.take(now=0.5) is False
    assert [bucket.take(now=100.0) for _ in range(4)] == [True, True, True, False]  # capped at burst


def test_invalid_parameters_are_refused():
    with pytest.raises(ValueError):
        TokenBucket(rate=0, burst=1)
    with pytest.raises(ValueError):
        TokenBucket(rate=1, burst=0)
