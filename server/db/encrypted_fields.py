"""Transparent encryption of health-information columns.

Which columns are encrypted is declared here; ORM events seal values on the way into the database
and open them on the way out, with the record id and field name bound as associated data. The
keyring comes from the database session's ``info`` (set by ``make_sessionmaker``), never a global."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import attributes, object_session

from server.db.crisis_tables import CrisisEventRecord, ResponderLinkRecord, ResponderReceiptRecord
from server.db.field_crypto import UnknownKeyError, decrypt, encrypt
from server.db.messaging_tables import MessageRecord
from server.db.monitoring_tables import CheckInRecord, ScreenerResultRecord
from server.db.outreach_tables import OutreachTaskRecord
from server.db.plan_tables import AlertRecord, ClientLocationRecord, DisclosureOverrideRecord, SafetyPlanVersionRecord
from server.db.tables import Client, Participant, new_id

ENCRYPTED: dict[type, tuple[str, ...]] = {
    Client: ("display_name", "email", "phone"),
    Participant: ("display_name",),
    OutreachTaskRecord: ("note",),
    SafetyPlanVersionRecord: ("content",),
    DisclosureOverrideRecord: ("reason",),
    AlertRecord: ("body", "acknowledged_note", "resolved_note"),
    CheckInRecord: ("answers", "note"),
    ScreenerResultRecord: ("answers", "result"),
    MessageRecord: ("body",),
    ClientLocationRecord: ("address", "geolocation"),
    CrisisEventRecord: ("data",),
    ResponderLinkRecord: ("packet",),
    ResponderReceiptRecord: ("recipient_name", "recipient_agency"),
}
KEYS_INFO = "field_keys"


def _source(session: OrmSession | None):
    if session is None or KEYS_INFO not in session.info:
        raise RuntimeError("database session has no field keys")
    return session.info[KEYS_INFO]


def _open(source, model: type, record_id: str, field: str, token: str) -> str:
    place = dict(table=model.__tablename__, record_id=record_id, field=field)
    try:
        return decrypt(source.keyring, token, **place)
    except UnknownKeyError:
        if not source.reload():  # a rotation may have added the key since we started
            raise
        return decrypt(source.keyring, token, **place)


def _seal_before_write(mapper, connection, target) -> None:
    source = _source(object_session(target))
    if target.id is None:
        target.id = new_id()
    plain = {}
    for field in ENCRYPTED[type(target)]:
        value = getattr(target, field)
        if value is not None:
            plain[field] = value
            setattr(target, field, encrypt(source.keyring, value, table=type(target).__tablename__,
                                           record_id=target.id, field=field))
    target.__dict__["_plaintext"] = plain


def _restore_after_write(mapper, connection, target) -> None:
    for field, value in target.__dict__.pop("_plaintext", {}).items():
        attributes.set_committed_value(target, field, value)


def _open_on_load(target, context) -> None:
    source = _source(context.session)
    for field in ENCRYPTED[type(target)]:
        token = target.__dict__.get(field)
        if token is not None:
            plain = _open(source, type(target), target.id, field, token)
            attributes.set_committed_value(target, field, plain)


def _open_on_refresh(target, context, attrs) -> None:
    _open_on_load(target, context)


_EVENTS = (
    ("before_insert", _seal_before_write), ("before_update", _seal_before_write),
    ("after_insert", _restore_after_write), ("after_update", _restore_after_write),
    ("load", _open_on_load), ("refresh", _open_on_refresh),
)


def register() -> None:
    """Attach the sealing and opening events to the encrypted tables; called by the engine setup
    (``make_sessionmaker``), safe to call again."""
    for model in ENCRYPTED:
        for name, handler in _EVENTS:
            if not event.contains(model, name, handler):
                event.listen(model, name, handler)
