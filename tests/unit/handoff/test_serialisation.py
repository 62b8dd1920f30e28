"""Value types cross package boundaries as JSON: each must round-trip and serialise stably."""

from __future__ import annotations

import json
from functools import partial

from handoff.consent import DisclosureCategory, Party
from handoff.crisis import Actor, Crisis, record_disclosure, start
from handoff.crisis_state import Role
from handoff.plan_template import DEFAULT_TEMPLATE, PlanTemplate
from handoff.responder_packet import ResponderPacket
from handoff.safety_plan import SafetyPlan, create_plan

from .fakes import T0
from .packet_data import consent_basis, packet
from .plan_data import valid_draft


def roundtrip(model):
    again = type(model).model_validate_json(model.model_dump_json())
    assert again == model
    return json.loads(model.model_dump_json())


def test_plan_template_packet_and_crisis_round_trip():
    assert PlanTemplate.model_validate_json(DEFAULT_TEMPLATE.model_dump_json()) == DEFAULT_TEMPLATE
    plan = create_plan(DEFAULT_TEMPLATE, "client_1", valid_draft(), author_id="t", at=T0)
    assert SafetyPlan.model_validate_json(plan.model_dump_json()) == plan
    data = roundtrip(packet(consent_basis()))
    assert ResponderPacket.model_validate(data) == packet(consent_basis())
    assert data["included"] == sorted(c.value for c in DisclosureCategory)
    crisis, _ = start("c1", client_id="client_1", program_id="p", actor=Actor(actor_id="client_1", role=Role.CLIENT), at=T0)
    decide = partial(record_disclosure, actor=Actor(actor_id="t", role=Role.THERAPIST), recipient=Party.emergency_services(),
                     categories=frozenset({DisclosureCategory.SITUATION, DisclosureCategory.LOCATION}), basis=consent_basis())
    crisis, _ = decide(crisis, at=T0, expected_version=1)
    data = roundtrip(crisis)
    assert data["timeline"][1]["categories"] == ["location", "situation"]
    assert Crisis.model_validate(data) == crisis
