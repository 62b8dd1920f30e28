import dataclasses
import json
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from server.audit.chain import (
    GENESIS_HMAC,
    AuditEntry,
    InvalidAuditEntryError,
    InvalidCheckpointError,
    Outcome,
    SealedEntry,
    SequenceError,
    append,
    chain_hmac,
    utc_timestamp,
)
from server.audit.verify import BreakReason, Checkpoint, sign_checkpoint, verify, verify_checkpoint

SECRET = b"s" * 32
OTHER_SECRET = b"o" * 32
SIGNING_KEY = Ed25519PrivateKey.generate()
PUBLIC_KEY = SIGNING_KEY.public_key()
OTHER_KEY = Ed25519PrivateKey.generate()
T0 = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)


def make_entry(sequence: int, **overrides) -> AuditEntry:
    fields = {
        "sequence": sequence,
        "occurred_at": utc_timestamp(T0 + timedelta(seconds=sequence)),
        "actor_id": "staff-17",
        "actor_role": "clinician",
        "action": "session.join",
        "outcome": Outcome.SUCCESS,
        "target_type": "session",
        "target_id": f"sess-{sequence}",
        "program_id": "prog-1",
        "remote_addr": "192.0.2.10",
        "details": {"attempt": sequence, "via": "web"},
    }
    fields.update(overrides)
    return AuditEntry(**fields)


def build_chain(count: int, secret: bytes = SECRET) -> list[SealedEntry]:
    chain: list[SealedEntry] = []
    for sequence in range(1, count + 1):
        chain.append(append(secret, chain[-1] if chain else None, make_entry(sequence)))
    return chain


def reseal_without_secret(sealed: SealedEntry, **changes) -> SealedEntry:
    """What an attacker with database access but no secret can do: edit, keep the seal."""
    return dataclasses.replace(sealed, entry=dataclasses.replace(sealed.entry, **changes))


# --- intact chains ---------------------------------------------------------------


def test_intact_chain_passes():
    chain = build_chain(5)
    result = verify(SECRET, chain)
    assert result.ok and result.broken is None
    assert (result.checked, result.head_sequence, result.head_hmac) == (5, 5, chain[-1].hmac)


def test_empty_chain_passes():
    result = verify(SECRET, [])
    assert result.ok and result.head_hmac == GENESIS_HMAC and result.head_sequence == 0


def test_links_and_seals():
    chain = build_chain(3)
    assert chain[0].previous_hmac == GENESIS_HMAC
    assert chain[1].previous_hmac == chain[0].hmac
    assert chain[2].hmac == chain_hmac(SECRET, chain[1].hmac, chain[2].entry)
    assert chain_hmac(OTHER_SECRET, chain[1].hmac, chain[2].entry) != chain[2].hmac


def test_append_refuses_out_of_sequence():
    chain = build_chain(2)
    with pytest.raises(SequenceError):
        append(SECRET, chain[-1], make_entry(4))
    with pytest.raises(SequenceError):
        append(SECRET, None, make_entry(2))


def test_wrong_secret_fails_at_first_entry():
    result = verify(OTHER_SECRET, build_chain(3))
    assert (result.broken.index, result.broken.reason) == (0, BreakReason.EDITED)


def test_short_secret_refused():
    with pytest.raises(InvalidAuditEntryError):
        append(b"short", None, make_entry(1))


# --- tampering -------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"actor_id": "staff-99"},
        {"outcome": Outcome.DENIED},
        {"occurred_at": utc_timestamp(T0 + timedelta(days=1))},
        {"details": {"attempt": 3, "via": "api"}},
        {"remote_addr": "198.51.100.1"},
        {"program_id": None},
    ],
    ids=lambda c: next(iter(c)),
)
def test_edited_field_detected_at_its_index(change):
    chain = build_chain(5)
    chain[2] = reseal_without_secret(chain[2], **change)
    broken = verify(SECRET, chain).broken
    assert (broken.index, broken.sequence, broken.reason) == (2, 3, BreakReason.EDITED)


def test_edited_sequence_number_detected_as_edit():
    chain = build_chain(5)
    chain[2] = reseal_without_secret(chain[2], sequence=4)
    broken = verify(SECRET, chain).broken
    assert (broken.index, broken.reason) == (2, BreakReason.EDITED)


def test_edited_stored_seal_detected():
    chain = build_chain(3)
    chain[1] = dataclasses.replace(chain[1], hmac="f" * 64)
    broken = verify(SECRET, chain).broken
    assert (broken.index, broken.reason) == (1, BreakReason.EDITED)


def test_deleted_entry_detected_at_the_gap():
    chain = build_chain(5)
    del chain[2]
    result = verify(SECRET, chain)
    broken = result.broken
    assert (broken.index, broken.sequence, broken.reason) == (2, 4, BreakReason.DELETED)
    assert "expected sequence 3" in broken.detail
    assert (result.checked, result.head_sequence) == (2, 2)


def test_deleted_first_entry_detected():
    chain = build_chain(3)[1:]
    broken = verify(SECRET, chain).broken
    assert (broken.index, broken.reason) == (0, BreakReason.DELETED)


def test_swapped_entries_detected_at_first_swapped_index():
    chain = build_chain(5)
    chain[1], chain[3] = chain[3], chain[1]
    broken = verify(SECRET, chain).broken
    assert (broken.index, broken.sequence, broken.reason) == (1, 4, BreakReason.REORDERED)


def test_adjacent_swap_detected():
    chain = build_chain(5)
    chain[2], chain[3] = chain[3], chain[2]
    broken = verify(SECRET, chain).broken
    assert (broken.index, broken.reason) == (2, BreakReason.REORDERED)


def test_duplicated_entry_detected():
    chain = build_chain(3)
    chain.insert(2, chain[1])
    broken = verify(SECRET, chain).broken
    assert (broken.index, broken.reason) == (2, BreakReason.REORDERED)


def test_entry_spliced_from_another_chain_detected():
    # Same secret and sequence, different history: the link gives it away.
    chain = build_chain(4)
    other = [append(SECRET, None, make_entry(1, action="other.history"))]
    other.append(append(SECRET, other[0], make_entry(2)))
    chain[1] = other[1]
    broken = verify(SECRET, chain).broken
    assert (broken.index, broken.sequence, broken.reason) == (1, 2, BreakReason.BROKEN_LINK)


def test_entry_resealed_in_place_breaks_the_next_link():
    # Even with the secret, rewriting entry 3 alone breaks entry 4's link.
    chain = build_chain(4)
    chain[2] = append(SECRET, chain[1], make_entry(3, actor_id="staff-2"))
    broken = verify(SECRET, chain).broken
    assert (broken.index, broken.reason) == (3, BreakReason.BROKEN_LINK)


# --- checkpoints and truncation --------------------------------------------------


def test_truncated_tail_after_checkpoint_detected():
    chain = build_chain(6)
    checkpoint = sign_checkpoint(SIGNING_KEY, chain[-1], signed_at=T0)
    assert verify(SECRET, chain, checkpoint, public_key=PUBLIC_KEY).ok
    result = verify(SECRET, chain[:4], checkpoint, public_key=PUBLIC_KEY)
    broken = result.broken
    assert (broken.index, broken.sequence, broken.reason) == (4, 5, BreakReason.TRUNCATED)
    assert result.head_sequence == 4


def test_truncation_without_checkpoint_is_invisible():
    assert verify(SECRET, build_chain(6)[:4]).ok


def test_chain_may_grow_past_checkpoint():
    chain = build_chain(6)
    checkpoint = sign_checkpoint(SIGNING_KEY, chain[3])
    assert verify(SECRET, chain, checkpoint, public_key=PUBLIC_KEY).ok


def test_truncated_to_nothing_detected():
    checkpoint = sign_checkpoint(SIGNING_KEY, build_chain(2)[-1])
    broken = verify(SECRET, [], checkpoint, public_key=PUBLIC_KEY).broken
    assert (broken.index, broken.sequence, broken.reason) == (0, 1, BreakReason.TRUNCATED)


def test_rewritten_history_contradicts_checkpoint():
    # An insider with the secret truncates and re-seals new entries: the
    # checkpointed head is no longer in the chain.
    chain = build_chain(5)
    checkpoint = sign_checkpoint(SIGNING_KEY, chain[-1])
    rewritten = chain[:3]
    for sequence in (4, 5, 6):
        rewritten.append(append(SECRET, rewritten[-1], make_entry(sequence, action="x.y")))
    broken = verify(SECRET, rewritten, checkpoint, public_key=PUBLIC_KEY).broken
    assert (broken.index, broken.reason) == (4, BreakReason.CHECKPOINT_MISMATCH)


def test_checkpoint_signature():
    chain = build_chain(2)
    checkpoint = sign_checkpoint(SIGNING_KEY, chain[-1], signed_at=T0)
    assert checkpoint.sequence == 2 and checkpoint.head_hmac == chain[-1].hmac
    assert checkpoint.signed_at == "2026-03-01T09:30:00.000000Z"
    assert verify_checkpoint(PUBLIC_KEY, checkpoint)
    assert not verify_checkpoint(OTHER_KEY.public_key(), checkpoint)
    forged = dataclasses.replace(checkpoint, sequence=1)
    assert not verify_checkpoint(PUBLIC_KEY, forged)
    with pytest.raises(InvalidCheckpointError):
        verify(SECRET, chain, forged, public_key=PUBLIC_KEY)


def test_checkpoint_seal_differs_from_entry_seal():
    # Domain separation: a checkpoint signature is never a valid entry seal.
    chain = build_chain(1)
    checkpoint = sign_checkpoint(SIGNING_KEY, chain[0])
    assert checkpoint.signature != chain[0].hmac


def test_checkpoint_dict_round_trip():
    checkpoint = sign_checkpoint(SIGNING_KEY, build_chain(3)[-1])
    restored = Checkpoint.from_dict(json.loads(json.dumps(checkpoint.to_dict())))
    assert restored == checkpoint and verify_checkpoint(PUBLIC_KEY, restored)


def test_verify_a_segment_after_a_trusted_checkpoint():
    chain = build_chain(6)
    anchor = sign_checkpoint(SIGNING_KEY, chain[2])
    head = sign_checkpoint(SIGNING_KEY, chain[-1])
    assert verify(SECRET, chain[3:], head, after=anchor, public_key=PUBLIC_KEY).ok
    broken = verify(SECRET, chain[4:], head, after=anchor, public_key=PUBLIC_KEY).broken
    assert (broken.index, broken.reason) == (0, BreakReason.DELETED)


def test_checkpoints_are_checked_with_the_public_key_alone():
    # The chain secret (all a database host needs to re-seal records) cannot sign a checkpoint, and a
    # checkpoint signed with another private key — or re-labelled as this one — does not verify.
    chain = build_chain(3)
    checkpoint = sign_checkpoint(SIGNING_KEY, chain[-1])
    assert verify(SECRET, chain, checkpoint, public_key=PUBLIC_KEY).ok
    other = sign_checkpoint(OTHER_KEY, chain[-1])
    relabelled = dataclasses.replace(other, key_id=checkpoint.key_id)
    for bad in (other, relabelled):
        with pytest.raises(InvalidCheckpointError):
            verify(SECRET, chain, bad, public_key=PUBLIC_KEY)
    with pytest.raises(InvalidCheckpointError):
        verify(SECRET, chain, checkpoint)  # no public key: a checkpoint cannot count
    with pytest.raises(InvalidCheckpointError):
        sign_checkpoint(SECRET, chain[-1])


def test_every_checkpoint_must_agree_with_the_chain():
    chain = build_chain(6)
    early, late = sign_checkpoint(SIGNING_KEY, chain[1]), sign_checkpoint(SIGNING_KEY, chain[-1])
    rewritten = chain[:1]
    for sequence in range(2, 7):  # history from record 2 on re-sealed with the chain secret
        rewritten.append(append(SECRET, rewritten[-1], make_entry(sequence, action="x.y")))
    resigned = sign_checkpoint(SIGNING_KEY, rewritten[-1])  # even a new checkpoint of the rewritten head
    broken = verify(SECRET, rewritten, public_key=PUBLIC_KEY, checkpoints=[early, late, resigned]).broken
    assert (broken.index, broken.reason) == (1, BreakReason.CHECKPOINT_MISMATCH)
    assert verify(SECRET, chain, public_key=PUBLIC_KEY, checkpoints=[early, late]).ok


# --- canonical form and injection ------------------------------------------------


def test_canonical_form_is_sorted_compact_ascii_json():
    entry = make_entry(1, actor_id="Zoë")
    canonical = entry.canonical()
    decoded = json.loads(canonical)
    assert list(decoded) == sorted(decoded)
    assert canonical.isascii() and b" " not in canonical
    assert decoded["actor_id"] == "Zoë"
    assert AuditEntry.from_dict(decoded) == entry


INJECTIONS = [
    'staff-17","action":"plan.delete',
    "staff-17\n{\"sequence\":2}",
    "staff-17\r\n",
    "staff-17\u2028x",
    'staff-17\\",\\"role',
    "staff-17\x00",
    "}{",
]


@pytest.mark.parametrize("actor", INJECTIONS)
def test_injected_actor_names_cannot_forge(actor):
    entry = make_entry(1, actor_id=actor)
    canonical = entry.canonical()
    assert b"\n" not in canonical and b"\r" not in canonical
    decoded = json.loads(canonical)
    assert decoded["actor_id"] == actor
    assert decoded["action"] == "session.join"
    assert AuditEntry.from_dict(decoded) == entry


names = st.text(min_size=1, max_size=60)


@given(actor=names, role=names, action=names, via=st.text(max_size=60))
def test_canonical_form_decodes_to_exactly_the_entry(actor, role, action, via):
    # Decoding is a function, so distinct entries can never share a canonical form.
    entry = make_entry(1, actor_id=actor, actor_role=role, action=action, details={"via": via})
    canonical = entry.canonical()
    assert canonical.isascii() and b"\n" not in canonical
    assert AuditEntry.from_dict(json.loads(canonical)) == entry


def test_field_injection_does_not_collide_with_the_record_it_imitates():
    # An actor name crafted to look like actor "a" plus action "plan.delete".
    crafted = make_entry(1, actor_id='a","action":"plan.delete', action="x")
    imitated = make_entry(1, actor_id="a", action="plan.delete")
    assert crafted.canonical() != imitated.canonical()
    sealed = append(SECRET, None, crafted)
    # Reusing the crafted record's seal on the imitated record fails.
    swapped = dataclasses.replace(sealed, entry=imitated)
    assert verify(SECRET, [sealed]).ok
    assert verify(SECRET, [swapped]).broken.reason is BreakReason.EDITED


def test_newline_in_name_cannot_smuggle_a_second_record():
    # A name that, in a line-based log, would begin a forged next record.
    smuggled = 'staff-17\n{"sequence":2,"actor_id":"staff-1","action":"plan.delete"}'
    chain = [append(SECRET, None, make_entry(1, actor_id=smuggled))]
    assert verify(SECRET, chain).ok
    assert chain[0].entry.canonical().count(b"\n") == 0
    assert json.loads(chain[0].entry.canonical())["sequence"] == 1


def test_field_boundaries_cannot_shift():
    moved = make_entry(1, target_type="sessio", target_id="nsess-1")
    assert make_entry(1).canonical() != moved.canonical()


# --- entry validation -------------------------------------------------------------


def test_entry_normalises_inputs():
    entry = make_entry(
        1,
        occurred_at=datetime(2026, 3, 1, 10, 0, tzinfo=timezone(timedelta(hours=1))),
        outcome="denied",
        remote_addr="2001:DB8:0:0::1",
    )
    assert entry.occurred_at == "2026-03-01T09:00:00.000000Z"
    assert entry.outcome is Outcome.DENIED
    assert entry.remote_addr == "2001:db8::1"
    assert hash(entry) == hash(make_entry(1, occurred_at=entry.occurred_at, outcome="denied",
                                          remote_addr="2001:db8::1"))


def test_details_are_read_only():
    entry = make_entry(1)
    with pytest.raises(TypeError):
        entry.details["extra"] = 1  # type: ignore[index]


@pytest.mark.parametrize(
    "change",
    [
        {"sequence": 0},
        {"sequence": True},
        {"sequence": "1"},
        {"occurred_at": "2026-03-01 09:30:00"},
        {"occurred_at": "2026-03-01T09:30:00.000000+00:00"},
        {"occurred_at": "2026-02-30T09:30:00.000000Z"},
        {"occurred_at": datetime(2026, 3, 1)},
        {"actor_id": ""},
        {"actor_role": None},
        {"action": "a" * 300},
        {"target_id": ""},
        {"outcome": "maybe"},
        {"remote_addr": "not-an-ip"},
        {"remote_addr": 3232235521},
        {"actor_id": "x\ud800"},
        {"details": ["not", "a", "mapping"]},
        {"details": {"Bad-Key": 1}},
        {"details": {"nested": {"a": 1}}},
        {"details": {"ratio": 0.5}},
        {"details": {"reason": "x" * 200}},
        {"details": {f"k{i}": i for i in range(17)}},
    ],
    ids=repr,
)
def test_invalid_entries_are_refused(change):
    fields = {**make_entry(1).to_dict(), **change}
    with pytest.raises(InvalidAuditEntryError):
        AuditEntry(**fields)


@pytest.mark.parametrize(
    "key", ["note", "patient_name", "safety_plan_id", "lat", "email", "risk_level", "cssrs_score"]
)
def test_details_refuse_keys_that_look_like_health_information(key):
    with pytest.raises(InvalidAuditEntryError, match="health information"):
        make_entry(1, details={key: "x"})


def test_details_allow_ids_codes_and_counts():
    entry = make_entry(1, details={"reason": "token_expired", "attempt": 2, "ok": True,
                                   "session_id": "s-1", "previous": None})
    assert entry.details["reason"] == "token_expired"


def test_from_dict_refuses_unknown_fields():
    data = make_entry(1).to_dict() | {"patient": "x"}
    with pytest.raises(InvalidAuditEntryError):
        AuditEntry.from_dict(data)


def test_sealed_entry_validates_seals():
    with pytest.raises(InvalidAuditEntryError):
        SealedEntry(make_entry(1), GENESIS_HMAC, "ABC")
    with pytest.raises(InvalidAuditEntryError):
        SealedEntry(make_entry(1), "0" * 63, "0" * 64)
