"""Abuse limits on sign-in and link redemption (the ``limits`` library), with a lockout that does
not lock out the real person: failures lock an account only *from the address that failed*, and
addresses that recently signed in to that account successfully are never held back by failures
made elsewhere.

With ``STEADYLINE_REDIS_URL`` set the counters and the known addresses live in Redis, so every node
behind a balancer counts the same attempts (a guesser gains nothing by spreading over nodes);
without it they are in-process."""

from __future__ import annotations

import hashlib
import ipaddress
import time
from collections import OrderedDict
from typing import Protocol

import redis.asyncio as aioredis
from limits import parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from .errors import RateLimited


def address_key(address: str) -> str:
    """What one requester is counted under: the address, or its /64 for IPv6 (one host holds a whole
    /64, so counting single IPv6 addresses would not limit anyone)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)

ADDRESS_SIGN_IN = parse("30/minute")  # any sign-in attempts from one address
ACCOUNT_FAILURES_PER_ADDRESS = parse("5/15 minutes")  # wrong passwords for one account from one address
ACCOUNT_FAILURES = parse("50/hour")  # wrong passwords for one account from anywhere
ADDRESS_REDEEM = parse("30/minute")  # join-link redemptions from one address
ADDRESS_RESPONDER_MISSES = parse("10/minute")  # unknown, expired or revoked responder tokens from one address
MISS_RECORD_PER_ADDRESS = parse("1/minute")  # one audit record stands for an address's misses in a minute
MISS_RECORDS = parse("60/minute")  # and at most this many such records from everywhere together
KNOWN_ADDRESS_SECONDS = 30 * 24 * 3600
KNOWN_ADDRESS_LIMIT = 10_000


class KnownAddresses(Protocol):
    """Where an account signed in successfully from, recently."""

    async def is_known(self, account: str, address: str) -> bool: ...
    async def remember(self, account: str, address: str) -> None: ...
    async def close(self) -> None: ...


class MemoryKnownAddresses:
    def __init__(self, limit: int = KNOWN_ADDRESS_LIMIT) -> None:
        self._seen: OrderedDict[tuple[str, str], float] = OrderedDict()
        self._limit = limit

    async def is_known(self, account: str, address: str) -> bool:
        seen = self._seen.get((account, address))
        return seen is not None and time.time() - seen < KNOWN_ADDRESS_SECONDS

    async def remember(self, account: str, address: str) -> None:
        self._seen[(account, address)] = time.time()
        self._seen.move_to_end((account, address))
        while len(self._seen) > self._limit:
            self._seen.popitem(last=False)

    async def close(self) -> None:
        pass


class RedisKnownAddresses:
    """One expiring key per account and address."""

    def __init__(self, client: aioredis.Redis) -> None:
        self._client = client

    @staticmethod
    def _key(account: str, address: str) -> str:
        return f"steadyline:known-address:{account}:{address}"

    async def is_known(self, account: str, address: str) -> bool:
        return bool(await self._client.exists(self._key(account, address)))

    async def remember(self, account: str, address: str) -> None:
        await self._client.set(self._key(account, address), 1, ex=KNOWN_ADDRESS_SECONDS)

    async def close(self) -> None:
        await self._client.aclose()


def _digest(account: str) -> str:
    """Accounts are counted under a digest: the stores (Redis, with several nodes) hold no e-mail address."""
    return hashlib.sha256(account.encode()).hexdigest()[:32]


class AbuseGuard:
    def __init__(self, storage: Storage, known: KnownAddresses) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._windows = FixedWindowRateLimiter(storage)
        self._known = known

    @classmethod
    def in_process(cls) -> AbuseGuard:
        return cls(MemoryStorage(), MemoryKnownAddresses())

    @classmethod
    def shared(cls, redis_url: str) -> AbuseGuard:
        """Counters and known addresses in Redis, on one connection pool (closed by ``close``)."""
        client = aioredis.Redis.from_url(redis_url)
        storage = RedisStorage(f"async+{redis_url}", implementation="redispy", key_prefix="steadyline-limits",
                               connection_pool=client.connection_pool)
        return cls(storage, RedisKnownAddresses(client))

    async def close(self) -> None:
        await self._known.close()

    async def before_sign_in(self, address: str, account: str) -> None:
        account = _digest(account)
        if not await self._limiter.hit(ADDRESS_SIGN_IN, "sign-in", address):
            raise RateLimited()
        if not await self._limiter.test(ACCOUNT_FAILURES_PER_ADDRESS, "fail", account, address):
            raise RateLimited()
        if not await self._known.is_known(account, address) and not await self._limiter.test(
                ACCOUNT_FAILURES, "fail", account):
            raise RateLimited()

    async def sign_in_failed(self, address: str, account: str) -> None:
        account = _digest(account)
        await self._limiter.hit(ACCOUNT_FAILURES_PER_ADDRESS, "fail", account, address)
        await self._limiter.hit(ACCOUNT_FAILURES, "fail", account)

    async def sign_in_succeeded(self, address: str, account: str) -> None:
        await self._known.remember(_digest(account), address)

    async def before_redeem(self, address: str) -> None:
        if not await self._limiter.hit(ADDRESS_REDEEM, "redeem", address):
            raise RateLimited()

    async def responder_link_allowed(self, address: str) -> bool:
        """Whether ``address`` may still try responder tokens (it has not missed too often lately)."""
        return await self._limiter.test(ADDRESS_RESPONDER_MISSES, "responder-miss", address_key(address))

    async def responder_link_missed(self, address: str) -> None:
        await self._limiter.hit(ADDRESS_RESPONDER_MISSES, "responder-miss", address_key(address))

    async def record_responder_miss(self, address: str, what: str) -> bool:
        """Whether this miss (or refusal, ``what``) gets its own audit record: the first from an address in
        each minute does, within a cap over all addresses; the rest are counted by the limiter only, so
        guessing tokens cannot flood the audit trail."""
        if not await self._windows.hit(MISS_RECORD_PER_ADDRESS, "responder-miss-record", what, address_key(address)):
            return False
        return await self._windows.hit(MISS_RECORDS, "responder-miss-records")
