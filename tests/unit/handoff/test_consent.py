from __future__ import annotations

from datetime import timedelta

import pytest

from handoff.consent import (
    ConsentLedger, DisclosureCategory, Party, Scope, check, emergency_override,
)
from handoff.errors import ConsentInvalid, ConsentRequired, GrantNotFound, OverrideReasonRequired

from .fakes import T0

SISTER = Party.support_person("contact_1")
FRIEND = Party.support_person("contact_2")
EMS = Party.emergency_services()
REASON = "Client said she took pills twenty minutes ago and has stopped answering on video."


def ledger() -> ConsentLedger:
    return ConsentLedger(client_id="client_1")


def test_allowed_exactly_while_a_grant_is_in_force():
    led = ledger().grant(SISTER, Scope.PHONE, starts_at=T0, expires_at=T0 + timedelta(days=30),
                         recorded_by="therapist_1", grant_id="g1")
    with pytest.raises(ConsentRequired):
        check(led, SISTER, Scope.PHONE, T0 - timedelta(seconds=1))
    basis = check(led, SISTER, Scope.PHONE, T0)
    assert basis.kind == "consent" and basis.grant_id == "g1" and basis.valid_until == T0 + timedelta(days=30)
    check(led, SISTER, Scope.PHONE, T0 + timedelta(days=30) - timedelta(seconds=1))
    with pytest.raises(ConsentRequired) as caught:
        check(led, SISTER, Scope.PHONE, T0 + timedelta(days=30))
    assert caught.value.code == "consent_required"
    assert caught.value.details == {"party": "support_person", "scope": "phone"}


def test_consent_is_per_person_and_per_scope():
    led = ledger().grant(SISTER, Scope.INVITE_TO_VIDEO, starts_at=T0, recorded_by="t")
    check(led, SISTER, Scope.INVITE_TO_VIDEO, T0 + timedelta(days=400))  # no expiry
    with pytest.raises(ConsentRequired):
        check(led, SISTER, Scope.RECEIVE_LOCATION, T0)
    with pytest.raises(ConsentRequired):
        check(led, FRIEND, Scope.INVITE_TO_VIDEO, T0)
    with pytest.raises(ConsentRequired):
        check(led, EMS, Scope.SHARE_LOCATION_AND_SITUATION, T0)


def test_revocation_stops_consent_from_that_moment():
    led = ledger().grant(SISTER, Scope.RECEIVE_LOCATION, starts_at=T0, recorded_by="t", grant_id="g1")
    revoked = led.revoke("g1", at=T0 + timedelta(hours=2), recorded_by="client_1")
    check(revoked, SISTER, Scope.RECEIVE_LOCATION, T0 + timedelta(hours=1))
    with pytest.raises(ConsentRequired):
        check(revoked, SISTER, Scope.RECEIVE_LOCATION, T0 + timedelta(hours=2))
    again = revoked.revoke("g1", at=T0 + timedelta(hours=5), recorded_by="t")
    assert again.get("g1").revoked_at == T0 + timedelta(hours=2)
    assert led.get("g1").revoked_at is None  # ledgers are immutable
    with pytest.raises(GrantNotFound):
        led.revoke("nope", at=T0, recorded_by="t")


def test_a_newer_grant_is_the_basis_and_a_new_grant_restores_consent():
    led = (ledger()
           .grant(EMS, Scope.SHARE_LOCATION_AND_SITUATION, starts_at=T0, recorded_by="t", grant_id="old")
           .revoke("old", at=T0 + timedelta(days=1), recorded_by="client_1")
           .grant(EMS, Scope.SHARE_LOCATION_AND_SITUATION, starts_at=T0 + timedelta(days=2), recorded_by="t",
                  categories=frozenset({DisclosureCategory.LOCATION, DisclosureCategory.CALLBACK_NUMBERS}),
                  grant_id="new"))
    with pytest.raises(ConsentRequired):
        check(led, EMS, Scope.SHARE_LOCATION_AND_SITUATION, T0 + timedelta(days=1, hours=1))
    basis = check(led, EMS, Scope.SHARE_LOCATION_AND_SITUATION, T0 + timedelta(days=3))
    assert basis.grant_id == "new"
    assert basis.covers(DisclosureCategory.LOCATION) and not basis.covers(DisclosureCategory.LETHAL_MEANS)


@pytest.mark.parametrize("party,scope", [
    (SISTER, Scope.SHARE_LOCATION_AND_SITUATION),
    (EMS, Scope.INVITE_TO_VIDEO),
])
def test_scopes_belong_to_party_kinds(party, scope):
    with pytest.raises(ConsentInvalid) as caught:
        ledger().grant(party, scope, starts_at=T0, recorded_by="t")
    assert "cannot be granted" in caught.value.message


def test_grant_must_expire_after_it_starts_and_categories_fit_the_scope():
    with pytest.raises(ConsentInvalid, match="expire after"):
        ledger().grant(SISTER, Scope.PHONE, starts_at=T0, expires_at=T0, recorded_by="t")
    with pytest.raises(ConsentInvalid, match="categories"):
        ledger().grant(SISTER, Scope.RECEIVE_LOCATION, starts_at=T0, recorded_by="t",
                       categories=frozenset({DisclosureCategory.SITUATION}))


def test_override_needs_a_real_reason():
    for thin in ("", "emergency", "urgent urgent urgent urgent urgent urgent", "risk!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"):
        with pytest.raises(OverrideReasonRequired) as caught:
            emergency_override("clin_1", thin, T0, client_id="client_1", crisis_id="crisis_1",
                               clinical_lead_id="lead_1")
        assert caught.value.code == "override_reason_required"


def test_override_yields_an_audited_basis_and_an_alert_for_the_clinical_lead():
    decision = emergency_override("clin_1", "  " + REASON + "  ", T0, client_id="client_1",
                                  crisis_id="crisis_1", clinical_lead_id="lead_1")
    basis, alert = decision.basis, decision.alert
    assert basis.kind == "override" and basis.audit_required is True
    assert basis.reason == REASON and basis.clinician_id == "clin_1" and basis.at == T0
    assert basis.allows(EMS, Scope.SHARE_LOCATION_AND_SITUATION)
    assert basis.covers(DisclosureCategory.LOCATION) and not basis.covers(DisclosureCategory.LETHAL_MEANS)
    assert alert.recipient_id == "lead_1" and alert.override_id == basis.override_id
    assert alert.urgency == "high" and alert.crisis_id == "crisis_1" and REASON in alert.body


def test_override_for_a_support_person_is_limited_to_their_scopes():
    decision = emergency_override("clin_1", REASON, T0, client_id="client_1", crisis_id="crisis_1",
                                  clinical_lead_id="lead_1", party=SISTER,
                                  scopes=frozenset({Scope.PHONE, Scope.RECEIVE_LOCATION}),
                                  categories=frozenset({DisclosureCategory.LOCATION}))
    assert decision.basis.allows(SISTER, Scope.PHONE)
    assert not decision.basis.allows(FRIEND, Scope.PHONE)
    with pytest.raises(ConsentInvalid):
        emergency_override("clin_1", REASON, T0, client_id="client_1", crisis_id="crisis_1",
                           clinical_lead_id="lead_1", party=SISTER)  # default scope is for EMS only
