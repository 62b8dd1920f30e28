from __future__ import annotations

import json
from datetime import timedelta

import pytest

from handoff.consent import ConsentLedger, DisclosureCategory, Party, Scope, check, emergency_override
from handoff.errors import ConsentRequired, PacketInvalid
from handoff.location import check_mismatch
from handoff.responder_packet import CallbackRole

from .fakes import T0
from .packet_data import ALL, BROWSER, EMS, HOME, REASON, SITUATION, consent_basis, override_basis, packet

L, S, C, M = (DisclosureCategory.LOCATION, DisclosureCategory.SITUATION, DisclosureCategory.CALLBACK_NUMBERS,
              DisclosureCategory.LETHAL_MEANS)


def test_full_consent_gives_the_full_minimum_necessary_packet():
    p = packet(consent_basis())
    assert p.included == ALL
    assert p.civic.address == HOME.address and p.civic.confirmed_at == HOME.confirmed_at
    assert p.geolocation == BROWSER
    assert [(c.role, c.phone) for c in p.callbacks] == [
        (CallbackRole.CLIENT, "+15550100150"), (CallbackRole.THERAPIST, "+15550100151"),
        (CallbackRole.PROGRAM_LINE, "+15550100152")]
    assert p.situation == SITUATION
    assert p.lethal_means_notes == ("Sam keeps the spare medication at her place",)
    assert p.retention_expiry == T0 + timedelta(hours=24)
    assert (p.basis.kind, p.basis.reference, p.basis.audit_required) == ("consent", "grant_ems", False)


@pytest.mark.parametrize("allowed", [frozenset({L}), frozenset({L, C}), frozenset({S, M}), frozenset({C})])
def test_only_consented_categories_appear(allowed):
    p = packet(consent_basis(categories=allowed))
    assert p.included == allowed
    data = json.loads(p.to_json())
    assert ("civic" in data) == ("geolocation" in data) == (L in allowed)
    assert ("callbacks" in data and bool(data["callbacks"])) == (C in allowed)
    assert ("situation" in data) == (S in allowed)
    assert bool(data.get("lethal_means_notes")) == (M in allowed)
    text = p.to_json()
    assert ("Example" in text) == (L in allowed)
    assert ("5550100150" in text) == (C in allowed)
    assert ("overdose" in text) == (S in allowed)
    assert ("medication" in text) == (M in allowed)


def test_override_shares_the_default_minimum_and_is_flagged_for_audit():
    p = packet(override_basis())
    assert p.included == {L, S, C}
    assert p.lethal_means_notes == ()
    assert (p.basis.kind, p.basis.clinician_id, p.basis.audit_required) == ("override", "therapist_1", True)
    assert REASON not in p.to_json()  # the reason goes to audit and the clinical lead, not responders


def test_basis_must_be_for_emergency_services_this_client_and_in_force():
    sister = Party.support_person("contact_1")
    support = check(ConsentLedger(client_id="client_1").grant(sister, Scope.RECEIVE_LOCATION, starts_at=T0,
                                                              recorded_by="t"), sister, Scope.RECEIVE_LOCATION, T0)
    with pytest.raises(ConsentRequired):
        packet(support)
    with pytest.raises(ConsentRequired):
        packet(consent_basis(), client_id="client_2")
    expiring = ConsentLedger(client_id="client_1").grant(EMS, Scope.SHARE_LOCATION_AND_SITUATION,
                                                         starts_at=T0 - timedelta(days=1), expires_at=T0 + timedelta(minutes=1),
                                                         recorded_by="t")
    basis = check(expiring, EMS, Scope.SHARE_LOCATION_AND_SITUATION, T0)
    with pytest.raises(ConsentRequired, match="ended"):
        packet(basis, at=T0 + timedelta(minutes=2))
    other_crisis = emergency_override("t", REASON, T0, client_id="client_1", crisis_id="crisis_9",
                                      clinical_lead_id="lead").basis
    with pytest.raises(ConsentRequired, match="different crisis"):
        packet(other_crisis)


def test_nothing_to_share_and_bad_inputs():
    with pytest.raises(PacketInvalid):
        packet(consent_basis(categories=frozenset({S})), situation="   ")
    with pytest.raises(PacketInvalid):
        packet(consent_basis(), situation="x" * 2001)
    with pytest.raises(PacketInvalid):
        packet(consent_basis(), retention=timedelta(days=31))
    with pytest.raises(PacketInvalid, match="callback number"):
        packet(consent_basis(), client_phone="call me")


def test_missing_pieces_are_simply_left_out():
    p = packet(consent_basis(), confirmed=None, therapist_phone=None, lethal_means_notes=())
    assert p.civic is None and p.geolocation == BROWSER
    assert [c.role for c in p.callbacks] == [CallbackRole.CLIENT, CallbackRole.PROGRAM_LINE]
    assert p.included == {L, S, C}


def test_a_flagged_mismatch_warns_responders_but_only_with_location():
    far = BROWSER.model_copy(update={"latitude": 40.05})
    mismatch = check_mismatch(HOME, far)
    assert mismatch.flagged
    p = packet(consent_basis(), geolocation=far, mismatch=mismatch)
    assert "may not be at home" in p.location_warning and "5,5" in p.location_warning
    assert packet(consent_basis(), mismatch=check_mismatch(HOME, BROWSER)).location_warning is None
    no_location = packet(consent_basis(categories=frozenset({S})), geolocation=far, mismatch=mismatch)
    assert no_location.location_warning is None
