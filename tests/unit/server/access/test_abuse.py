"""Progressive lockouts (pure logic, time driven by a clock): free tries, then a minute, doubling per
further run of failures up to an hour; a success clears them; a quiet day forgets them."""

from __future__ import annotations

import pytest

from server.access.abuse import SIGN_IN, Lockout, MemoryLockouts


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def _run_of_failures(lockouts: MemoryLockouts, key: str, rule: Lockout) -> float:
    locked = 0.0
    for _ in range(rule.free):
        locked = await lockouts.failed(key, rule)
    return locked


async def test_lockouts_double_after_every_run_of_failures_up_to_an_hour():
    clock = Clock()
    lockouts = MemoryLockouts(clock)
    seen = []
    for _ in range(9):
        assert await lockouts.locked_for("k") == 0
        seen.append(await _run_of_failures(lockouts, "k", SIGN_IN))
        assert await lockouts.locked_for("k") == seen[-1]
        clock.now += seen[-1]  # wait the lockout out
    assert seen == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert await lockouts.locked_for("other") == 0  # per key


async def test_free_tries_do_not_lock_and_a_success_or_a_quiet_day_forgets():
    clock = Clock()
    lockouts = MemoryLockouts(clock)
    for _ in range(SIGN_IN.free - 1):
        assert await lockouts.failed("k", SIGN_IN) == 0
    await lockouts.clear("k")  # a successful sign-in
    assert await lockouts.failed("k", SIGN_IN) == 0
    await _run_of_failures(lockouts, "j", SIGN_IN)
    clock.now += 24 * 3600 + 1
    assert await _run_of_failures(lockouts, "j", SIGN_IN) == 60  # back to the first lockout


def test_a_lockout_rule_validates_itself():
    with pytest.raises(ValueError):
        Lockout(free=0)
    with pytest.raises(ValueError):
        Lockout(free=3, first=60, longest=30)
