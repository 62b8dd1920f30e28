"""The revocation message: validates itself, round-trips through JSON, and every reason a person can be
disconnected for has plain words."""

from __future__ import annotations

import pytest

from signaling.revocation import ENDED_MESSAGES, Revocation, ended_message


def test_a_revocation_round_trips_and_knows_whether_the_place_ends():
    revocation = Revocation(session_id="s1", participant_id="p1", reason="crisis_closed")
    assert Revocation.from_json(revocation.to_json()) == revocation and revocation.ends_place
    sign_out = Revocation(session_id="s1", participant_id="p1", reason="signed_out", staff_session_id="ss1")
    assert Revocation.from_json(sign_out.to_json()) == sign_out and not sign_out.ends_place


@pytest.mark.parametrize("fields", [
    {"session_id": "", "participant_id": "p", "reason": "removed"},
    {"session_id": "s", "participant_id": "", "reason": "removed"},
    {"session_id": "s", "participant_id": "p", "reason": "because"},
])
def test_a_revocation_without_a_session_participant_or_known_reason_is_refused(fields):
    with pytest.raises(ValueError):
        Revocation(**fields)


def test_every_reason_has_plain_words_without_codes():
    for reason, words in ENDED_MESSAGES.items():
        assert words.endswith(".") and "_" not in words, reason
    assert ended_message("unknown") == "Your access to this session has ended."
