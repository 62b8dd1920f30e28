"""The sockets connected to *this* node, with whose they are. Node-local by nature: used for
metrics and for keeping hosts' staff sign-ins alive while they are in a call — never for
decisions about a room (those read the live state) — except putting back what the live state lost
(``recovery``): which of them had joined their room is recorded here for that."""

from __future__ import annotations

from .ports import Identity


class LocalConnections:
    def __init__(self) -> None:
        self._by_sid: dict[str, Identity] = {}
        self._joined: set[str] = set()

    def add(self, sid: str, identity: Identity) -> None:
        self._by_sid[sid] = identity

    def remove(self, sid: str) -> None:
        self._by_sid.pop(sid, None)
        self._joined.discard(sid)

    def set_joined(self, sid: str, joined: bool) -> None:
        """The socket asked to join its room (or left it)."""
        if joined and sid in self._by_sid:
            self._joined.add(sid)
        else:
            self._joined.discard(sid)

    def has_joined(self, sid: str) -> bool:
        return sid in self._joined

    def __len__(self) -> int:
        return len(self._by_sid)

    def room_count(self) -> int:
        return len({identity.session_id for identity in self._by_sid.values()})

    def of_participant(self, participant_id: str) -> list[tuple[str, Identity]]:
        return [(sid, identity) for sid, identity in self._by_sid.items() if identity.participant_id == participant_id]

    def all(self) -> list[tuple[str, Identity]]:
        return list(self._by_sid.items())

    def hosts(self) -> list[tuple[str, Identity]]:
        return [(sid, identity) for sid, identity in self._by_sid.items() if identity.staff_session_id]
