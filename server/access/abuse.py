"""Abuse limits on sign-in and link redemption that cannot be turned against the real person.

* **Sign-in**: wrong passwords lock an account only *per (account, address)* — or, when the browser
  presents the device token it got at an earlier sign-in to that account, *per (account, device)*.
  Failures from other addresses never lock anyone else out, and a device that signed in before is
  not held back by failures made from its own address by someone else (a guesser behind the same
  network address): that is the recovery path, and it does not wait for the guesser to stop.
  Lockouts are progressive: ``FREE_FAILURES`` tries, then a minute, then twice as long after every
  further run of failures, up to an hour; a successful sign-in from there clears them. Any sign-in
  attempt without a device token also counts towards a per-address ceiling.
* **Link redemption**: only *failed* redemptions count, per address, with the same progressive
  lockout; a valid personal link (a 256-bit token: nothing to guess) always redeems, so a client
  behind the same address as a link guesser still gets in.

With ``STEADYLINE_REDIS_URL`` set the counters live in Redis, so every node behind a balancer counts
the same attempts; without it they are in-process. Accounts are counted under a digest: the stores
hold no e-mail address."""

from __future__ import annotations

import hashlib
import ipaddress
import time
from dataclasses import dataclass
from typing import Protocol

import redis.asyncio as aioredis
from limits import parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter, MovingWindowRateLimiter

from server.errors import RateLimited


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


ADDRESS_SIGN_IN = parse("30/minute")  # sign-in attempts without a device token from one address
FREE_FAILURES = 5  # wrong passwords for one account from one address (or device) before a lockout
REDEEM_FREE_FAILURES = 10  # failed link redemptions from one address before a lockout
FIRST_LOCKOUT_SECONDS = 60.0
LONGEST_LOCKOUT_SECONDS = 3600.0
FORGET_AFTER_SECONDS = 24 * 3600  # failures and lockouts are forgotten after a quiet day
ADDRESS_RESPONDER_MISSES = parse("10/minute")  # unknown, expired or revoked responder tokens from one address
MISS_RECORD_PER_ADDRESS = parse("1/minute")  # one audit record stands for an address's misses in a minute
MISS_RECORDS = parse("60/minute")  # and at most this many such records from everywhere together
MESSAGE_BURST = parse("6/minute")  # secure messages one client may send in a minute (the hour's cap is in SQL)


@dataclass(frozen=True)
class Lockout:
    """What a run of failures earned: a lockout of ``seconds`` (progressive)."""

    free: int
    first: float = FIRST_LOCKOUT_SECONDS
    longest: float = LONGEST_LOCKOUT_SECONDS

    def __post_init__(self) -> None:
        if self.free < 1 or self.first <= 0 or self.longest < self.first:
            raise ValueError("a lockout needs free tries, a positive first lockout and a longest one")

    def seconds(self, strikes: int) -> float:
        """The lockout after the ``strikes``-th run of failures (1, 2, …): doubling, capped."""
        return min(self.longest, self.first * 2 ** (strikes - 1))


SIGN_IN = Lockout(free=FREE_FAILURES)
REDEEM = Lockout(free=REDEEM_FREE_FAILURES)


class Lockouts(Protocol):
    """Failures and progressive lockouts by key."""

    async def locked_for(self, key: str) -> float:
        """Seconds the key is still locked (0: not locked)."""

    async def failed(self, key: str, rule: Lockout) -> float:
        """Count a failure; seconds the key is locked now (0 while it has tries left)."""

    async def clear(self, key: str) -> None: ...

    async def close(self) -> None: ...


class MemoryLockouts:
    def __init__(self, clock=time.time) -> None:
        self._clock = clock
        self._state: dict[str, tuple[int, int, float, float]] = {}  # failures, strikes, locked until, touched

    def _get(self, key: str) -> tuple[int, int, float, float]:
        state = self._state.get(key)
        if state is None or self._clock() - state[3] > FORGET_AFTER_SECONDS:
            return 0, 0, 0.0, self._clock()
        return state

    async def locked_for(self, key: str) -> float:
        return max(0.0, self._get(key)[2] - self._clock())

    async def failed(self, key: str, rule: Lockout) -> float:
        failures, strikes, until, _ = self._get(key)
        now = self._clock()
        failures += 1
        if failures >= rule.free:
            strikes, failures = strikes + 1, 0
            until = now + rule.seconds(strikes)
        self._state[key] = (failures, strikes, until, now)
        if len(self._state) > 100_000:  # bounded: the oldest entries go first
            for old in sorted(self._state, key=lambda k: self._state[k][3])[:10_000]:
                del self._state[old]
        return max(0.0, until - now)

    async def clear(self, key: str) -> None:
        self._state.pop(key, None)

    async def close(self) -> None:
        pass


# KEYS[1] the key's hash; ARGV now, free, first, longest, forget-after (seconds).
_FAILED = """
local failures = redis.call('HINCRBY', KEYS[1], 'failures', 1)
local locked = tonumber(redis.call('HGET', KEYS[1], 'until') or '0')
if failures >= tonumber(ARGV[2]) then
  local strikes = redis.call('HINCRBY', KEYS[1], 'strikes', 1)
  local seconds = math.min(tonumber(ARGV[4]), tonumber(ARGV[3]) * 2 ^ (strikes - 1))
  locked = tonumber(ARGV[1]) + seconds
  redis.call('HSET', KEYS[1], 'failures', 0, 'until', tostring(locked))
end
redis.call('EXPIRE', KEYS[1], ARGV[5])
return tostring(math.max(0, locked - tonumber(ARGV[1])))
"""


class RedisLockouts:
    """One expiring hash per key; a failure is counted atomically (a Lua script)."""

    def __init__(self, client: aioredis.Redis, prefix: str = "steadyline:lockout") -> None:
        self._client = client
        self._prefix = prefix

    def _key(self, key: str) -> str:
        return f"{self._prefix}:{key}"

    async def locked_for(self, key: str) -> float:
        until = await self._client.hget(self._key(key), "until")
        return max(0.0, float(until) - time.time()) if until else 0.0

    async def failed(self, key: str, rule: Lockout) -> float:
        left = await self._client.eval(_FAILED, 1, self._key(key), repr(time.time()), rule.free, rule.first,
                                       rule.longest, FORGET_AFTER_SECONDS)
        return float(left)

    async def clear(self, key: str) -> None:
        await self._client.delete(self._key(key))

    async def close(self) -> None:
        await self._client.aclose()


def account_digest(account: str) -> str:
    """Accounts are counted under a digest: the stores (Redis, with several nodes) hold no e-mail address."""
    return hashlib.sha256(account.encode()).hexdigest()[:32]


class Locked(RateLimited):
    def __init__(self, seconds: float) -> None:
        minutes = max(1, round(seconds / 60))
        super().__init__(f"Too many attempts. Please wait {minutes} minute{'s' if minutes > 1 else ''} and try again.")
        self.retry_after = int(seconds) + 1


class AbuseGuard:
    def __init__(self, storage: Storage, lockouts: Lockouts) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._windows = FixedWindowRateLimiter(storage)
        self._lockouts = lockouts

    @classmethod
    def in_process(cls) -> AbuseGuard:
        return cls(MemoryStorage(), MemoryLockouts())

    @classmethod
    def shared(cls, redis_url: str) -> AbuseGuard:
        """Counters and lockouts in Redis, on one connection pool (closed by ``close``)."""
        client = aioredis.Redis.from_url(redis_url)
        storage = RedisStorage(f"async+{redis_url}", implementation="redispy", key_prefix="steadyline-limits",
                               connection_pool=client.connection_pool)
        return cls(storage, RedisLockouts(client))

    async def close(self) -> None:
        await self._lockouts.close()

    @staticmethod
    def _sign_in_key(address: str, account: str, device: str | None) -> str:
        """Who is locked: this account from this device (if it showed its token) or this address."""
        where = f"device:{device}" if device else address
        return f"sign-in:{account_digest(account)}:{where}"

    async def before_sign_in(self, address: str, account: str, device: str | None = None) -> None:
        if device is None and not await self._limiter.hit(ADDRESS_SIGN_IN, "sign-in", address):
            raise RateLimited()
        seconds = await self._lockouts.locked_for(self._sign_in_key(address, account, device))
        if seconds > 0:
            raise Locked(seconds)

    async def sign_in_failed(self, address: str, account: str, device: str | None = None) -> None:
        await self._lockouts.failed(self._sign_in_key(address, account, device), SIGN_IN)

    async def sign_in_succeeded(self, address: str, account: str, device: str | None = None) -> None:
        await self._lockouts.clear(self._sign_in_key(address, account, device))

    async def redeem_locked_for(self, address: str) -> float:
        return await self._lockouts.locked_for(f"redeem:{address}")

    async def redeem_failed(self, address: str) -> float:
        """Count a failed redemption; seconds the address is locked now."""
        return await self._lockouts.failed(f"redeem:{address}", REDEEM)

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

    async def message_allowed(self, client_id: str) -> bool:
        """Whether the client may send another secure message now (a burst limit on every node alike; each
        message may alert or page someone)."""
        return await self._limiter.hit(MESSAGE_BURST, "message", client_id)
