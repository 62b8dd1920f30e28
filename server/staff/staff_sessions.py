"""Staff sign-ins: an absolute lifetime, an idle timeout that never ends a sign-in while its owner
is in a live call (the call keeps it alive), and sign-out that takes effect at once."""

from __future__ import annotations

from datetime import timedelta

from server.db.tables import StaffSession, utcnow
from server.errors import Unauthorized
from server.sessions.store import Store

TOUCH_EVERY = timedelta(seconds=30)  # write last-seen at most this often


class SignedOut(Unauthorized):
    code = "signed_out"
    message = "You have been signed out. Please sign in again."


class IdleSignOut(Unauthorized):
    code = "idle_timeout"
    message = "You were signed out after a period without activity. Please sign in again."


class StaffSessions:
    def __init__(self, store: Store, lifetime: int, idle_timeout: int) -> None:
        self._store = store
        self.lifetime = timedelta(seconds=lifetime)
        self.idle = timedelta(seconds=idle_timeout)

    async def start(self, staff_id: str) -> StaffSession:
        return await self._store.start_staff_session(staff_id, self.lifetime)

    async def check(self, staff_session_id: str, staff_id: str) -> StaffSession:
        """Raise unless the sign-in is live; count this as activity."""
        found = await self._store.get_staff_session(staff_session_id)
        now = utcnow()
        if found is None or found.staff_id != staff_id or found.ended_at is not None or now >= found.expires_at:
            raise SignedOut()
        if now - found.last_seen_at > self.idle:
            await self._store.end_staff_session(found.id)
            raise IdleSignOut()
        if now - found.last_seen_at > TOUCH_EVERY:
            await self._store.touch_staff_session(found.id, now)
        return found

    async def keep_alive(self, staff_session_id: str) -> bool:
        """A live call counts as activity; False once the sign-in has ended."""
        found = await self._store.get_staff_session(staff_session_id)
        if found is None or found.ended_at is not None or utcnow() >= found.expires_at:
            return False
        await self._store.touch_staff_session(found.id, utcnow())
        return True

    async def is_live(self, staff_session_id: str) -> bool:
        """Whether the sign-in has not ended (without counting this as activity)."""
        found = await self._store.get_staff_session(staff_session_id)
        return found is not None and found.ended_at is None and utcnow() < found.expires_at

    async def is_current(self, staff_session_id: str, staff_id: str) -> bool:
        """Whether the sign-in is live and not idle (without counting this as activity)."""
        found = await self._store.get_staff_session(staff_session_id)
        now = utcnow()
        return (found is not None and found.staff_id == staff_id and found.ended_at is None
                and now < found.expires_at and now - found.last_seen_at <= self.idle)

    async def end(self, staff_session_id: str) -> None:
        await self._store.end_staff_session(staff_session_id)
