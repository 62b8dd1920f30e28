"""Live room state in Redis, shared by every node: one hash of members per room."""

from __future__ import annotations

from redis.asyncio import Redis

from .live_state import Member

ROOM_TTL_SECONDS = 24 * 3600  # a forgotten room disappears after a day


class RedisLiveState:
    def __init__(self, url: str, prefix: str = "steadyline") -> None:
        self._redis = Redis.from_url(url)
        self._prefix = prefix

    def _members_key(self, session_id: str) -> str:
        return f"{self._prefix}:room:{session_id}:members"

    def _lock_key(self, session_id: str) -> str:
        return f"{self._prefix}:room:{session_id}:locked"

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

    async def set_locked(self, session_id: str, locked: bool) -> None:
        if locked:
            await self._redis.set(self._lock_key(session_id), b"1", ex=ROOM_TTL_SECONDS)
        else:
            await self._redis.delete(self._lock_key(session_id))

    async def is_locked(self, session_id: str) -> bool:
        return bool(await self._redis.exists(self._lock_key(session_id)))

    async def clear(self, session_id: str) -> None:
        await self._redis.delete(self._members_key(session_id), self._lock_key(session_id))

    async def ping(self) -> None:
        await self._redis.ping()

    async def close(self) -> None:
        await self._redis.aclose()
