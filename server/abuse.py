"""Abuse limits on sign-in and link redemption (the ``limits`` library), with a lockout that does
not lock out the real person: failures lock an account only *from the address that failed*, and
addresses that recently signed in to that account successfully are never held back by failures
made elsewhere."""

from __future__ import annotations

import time
from collections import OrderedDict

from limits import parse
from limits.aio.storage import MemoryStorage
from limits.aio.strategies import MovingWindowRateLimiter

from .errors import RateLimited

ADDRESS_SIGN_IN = parse("30/minute")  # any sign-in attempts from one address
ACCOUNT_FAILURES_PER_ADDRESS = parse("5/15 minutes")  # wrong passwords for one account from one address
ACCOUNT_FAILURES = parse("50/hour")  # wrong passwords for one account from anywhere
ADDRESS_REDEEM = parse("30/minute")  # join-link redemptions from one address
KNOWN_ADDRESS_SECONDS = 30 * 24 * 3600
KNOWN_ADDRESS_LIMIT = 10_000


class AbuseGuard:
    """Per node: with several nodes behind a balancer each node counts its own share."""

    def __init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())
        self._known: OrderedDict[tuple[str, str], float] = OrderedDict()

    def _is_known(self, account: str, address: str) -> bool:
        seen = self._known.get((account, address))
        return seen is not None and time.time() - seen < KNOWN_ADDRESS_SECONDS

    async def before_sign_in(self, address: str, account: str) -> None:
        if not await self._limiter.hit(ADDRESS_SIGN_IN, "sign-in", address):
            raise RateLimited()
        if not await self._limiter.test(ACCOUNT_FAILURES_PER_ADDRESS, "fail", account, address):
            raise RateLimited()
        if not self._is_known(account, address) and not await self._limiter.test(ACCOUNT_FAILURES, "fail", account):
            raise RateLimited()

    async def sign_in_failed(self, address: str, account: str) -> None:
        await self._limiter.hit(ACCOUNT_FAILURES_PER_ADDRESS, "fail", account, address)
        await self._limiter.hit(ACCOUNT_FAILURES, "fail", account)

    async def sign_in_succeeded(self, address: str, account: str) -> None:
        self._known[(account, address)] = time.time()
        self._known.move_to_end((account, address))
        while len(self._known) > KNOWN_ADDRESS_LIMIT:
            self._known.popitem(last=False)

    async def before_redeem(self, address: str) -> None:
        if not await self._limiter.hit(ADDRESS_REDEEM, "redeem", address):
            raise RateLimited()
