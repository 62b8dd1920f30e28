"""Moving a crisis with its client from one session to another (a group into a private room).

The move is one transaction: the compare-and-set on the crisis version also re-points the crisis at
its new session, and the ``moved`` timeline event is written with it; if the crisis changed or moved
meanwhile, nothing is written. Also answers where a client's open crisis is."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import async_sessionmaker

from handoff.crisis import Crisis
from handoff.crisis_state import CrisisState

from server.crises.store import CrisisPlace, SqlCrisisStore
from server.db.crisis_tables import CrisisEventRecord, CrisisRecord


class SqlCrisisMoves:
    def __init__(self, sessionmaker: async_sessionmaker, crises: SqlCrisisStore) -> None:
        self._sm = sessionmaker
        self._crises = crises

    def port(self, from_session_id: str, to_session_id: str) -> "MovingCrisisStore":
        """The ``CrisisStore`` port whose next save also moves the crisis between the sessions."""
        return MovingCrisisStore(self, from_session_id, to_session_id)

    async def open_for_client(self, client_id: str) -> CrisisPlace | None:
        """Where the client's open crisis is held, if they have one."""
        query = select(CrisisRecord.id, CrisisRecord.session_id).where(
            CrisisRecord.client_id == client_id, CrisisRecord.state != CrisisState.CLOSED.value).limit(1)
        async with self._sm() as db:
            row = (await db.execute(query)).first()
        return None if row is None else CrisisPlace(crisis_id=row[0], session_id=row[1])

    async def _save_moved(self, crisis: Crisis, expected_version: int, from_session_id: str,
                          to_session_id: str) -> bool:
        async with self._sm() as db, db.begin():
            result = await db.execute(
                update(CrisisRecord).where(CrisisRecord.id == crisis.crisis_id,
                                           CrisisRecord.version == expected_version,
                                           CrisisRecord.session_id == from_session_id)
                .values(session_id=to_session_id, state=crisis.state.value, version=crisis.version,
                        responsible_clinician_id=crisis.responsible_clinician_id))
            if result.rowcount != 1:
                return False
            for event in crisis.timeline[expected_version:]:
                db.add(CrisisEventRecord(crisis_id=event.crisis_id, seq=event.seq, at=event.at, kind=event.kind.value,
                                         data=event.model_dump_json()))
        return True


class MovingCrisisStore:
    def __init__(self, moves: SqlCrisisMoves, from_session_id: str, to_session_id: str) -> None:
        self._moves = moves
        self._from = from_session_id
        self._to = to_session_id

    async def load(self, crisis_id: str) -> Crisis | None:
        return await self._moves._crises.load(crisis_id)

    async def save_if_version(self, crisis: Crisis, expected_version: int) -> bool:
        if expected_version == 0:
            raise ValueError("only an existing crisis can move")
        return await self._moves._save_moved(crisis, expected_version, self._from, self._to)
