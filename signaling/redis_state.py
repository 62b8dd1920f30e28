"""Live room state in Redis, shared by every node: one hash of members per room. A room's lock is not
here: it is a durable record (the gatekeeper), so it survives the loss of Redis."""

from __future__ import annotations

from redis.asyncio import Redis

from .live_state import Member

ROOM_TTL_SECONDS = 24 * 3600  # a forgotten room disappears after a day

# KEYS[1] media owner key; ARGV owner, ttl in ms. Set unless another owner holds it; return the holder.
_CLAIM = """
local current = redis.call('GET', KEYS[1])
if not current or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return ARGV[1]
end
return current
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""

SOCKET_TTL_SECONDS = 24 * 3600


class RedisLiveState:
    def __init__(self, url: str, prefix: str = "steadyline") -> None:
        self._redis = Redis.from_url(url)
        self._prefix = prefix

    def _members_key(self, session_id: str) -> str:
        return f"{self._prefix}:room:{session_id}:members"

    def _media_key(self, session_id: str) -> str:
        return f"{self._prefix}:room:{session_id}:media-owner"

    async def get(self, session_id: str, participant_id: str) -> Member | None:
        raw = await self._redis.hget(self._members_key(session_id), participant_id)
        return None if raw is None else Member.from_json(raw)

    async def get_many(self, session_id: str, participant_ids: list[str]) -> list[Member | None]:
        raw = await self._redis.hmget(self._members_key(session_id), participant_ids)  # one round trip
        return [None if value is None else Member.from_json(value) for value in raw]

    async def put(self, session_id: str, member: Member) -> None:
        key = self._members_key(session_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, member.participant_id, member.to_json())
            pipe.expire(key, ROOM_TTL_SECONDS)
            await pipe.execute()

    async def delete(self, session_id: str, participant_id: str) -> None:
        await self._redis.hdel(self._members_key(session_id), participant_id)

    async def members(self, session_id: str) -> list[Member]:
        raw = await self._redis.hgetall(self._members_key(session_id))
        return [Member.from_json(value) for value in raw.values()]

    async def clear(self, session_id: str) -> None:
        await self._redis.delete(self._members_key(session_id), self._media_key(session_id))

    async def claim_media(self, session_id: str, owner: str, ttl: float) -> str:
        holder = await self._redis.eval(_CLAIM, 1, self._media_key(session_id), owner, max(1, int(ttl * 1000)))
        return holder.decode() if isinstance(holder, bytes) else str(holder)

    async def release_media(self, session_id: str, owner: str) -> None:
        await self._redis.eval(_RELEASE, 1, self._media_key(session_id), owner)

    async def media_owner(self, session_id: str) -> str | None:
        holder = await self._redis.get(self._media_key(session_id))
        return holder.decode() if isinstance(holder, bytes) else holder

    def _socket_key(self, participant_id: str) -> str:
        return f"{self._prefix}:participant:{participant_id}:socket"

    async def swap_socket(self, participant_id: str, sid: str) -> str | None:
        previous = await self._redis.set(self._socket_key(participant_id), sid, ex=SOCKET_TTL_SECONDS, get=True)
        previous = previous.decode() if isinstance(previous, bytes) else previous
        return previous if previous != sid else None

    async def release_socket(self, participant_id: str, sid: str) -> None:
        await self._redis.eval(_RELEASE, 1, self._socket_key(participant_id), sid)

    async def restore_socket(self, participant_id: str, sid: str) -> str:
        key = self._socket_key(participant_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(key, sid, ex=SOCKET_TTL_SECONDS, nx=True)
            pipe.get(key)
            _, holder = await pipe.execute()
        return holder.decode() if isinstance(holder, bytes) else str(holder)

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()
