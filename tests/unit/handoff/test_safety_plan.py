from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from handoff.errors import PlanContactNotFound, PlanInvalid, PlanVersionNotFound
from handoff.plan_template import DEFAULT_TEMPLATE, PlanTemplate, TemplateSection
from handoff.safety_plan import create_plan, draft_from_version, parse_draft, revise_plan

from .fakes import T0
from .plan_data import counter_ids, valid_draft


def make_plan(**kw):
    return create_plan(DEFAULT_TEMPLATE, "client_1", valid_draft(), author_id="therapist_1", at=T0,
                       make_id=counter_ids(), **kw)


def problems(exc: PlanInvalid) -> set[tuple[str, str]]:
    return {(i.section, i.problem) for i in exc.issues}


def test_create_makes_version_one_with_normalised_contacts():
    plan = make_plan(change_note="first plan at intake")
    v1 = plan.latest
    assert v1.number == 1 and v1.author_id == "therapist_1" and v1.created_at == T0
    sister = v1.section("people_to_ask").contacts[0]
    assert sister.phone == "+15550100101"
    assert sister.email == "Sam@example.org"
    assert sister.contact_id.startswith("contact_")
    lifeline = v1.section("professionals_and_services").contacts[1]
    assert lifeline.phone == "988"


def test_every_revision_is_a_new_version_and_history_is_kept():
    plan = make_plan()
    draft = draft_from_version(plan.latest)
    draft["warning_signs"].append("I give things away")
    v2_plan = revise_plan(plan, DEFAULT_TEMPLATE, draft, author_id="client_1", at=T0 + timedelta(days=1),
                          change_note="added a sign", make_id=counter_ids())
    draft["what_matters"] = "My dog, my course, and my niece."
    v3_plan = revise_plan(v2_plan, DEFAULT_TEMPLATE, draft, author_id="therapist_1", at=T0 + timedelta(days=2))

    assert [h.number for h in v3_plan.history()] == [1, 2, 3]
    assert [h.author_id for h in v3_plan.history()] == ["therapist_1", "client_1", "therapist_1"]
    assert v3_plan.history()[1].change_note == "added a sign"
    assert "I give things away" not in v3_plan.version(1).section("warning_signs").items
    assert "I give things away" in v3_plan.version(2).section("warning_signs").items
    assert v3_plan.version(2).section("what_matters").text == "My dog and finishing my course."
    assert plan.latest.number == 1  # the original object is unchanged
    with pytest.raises(ValidationError):
        v3_plan.latest.author_id = "someone_else"


def test_contacts_keep_their_ids_across_versions():
    plan = make_plan()
    sister_id = plan.latest.section("people_to_ask").contacts[0].contact_id
    draft = draft_from_version(plan.latest)
    draft["people_to_ask"][0]["phone"] = "+1 555 0100 199"
    draft["people_to_ask"].append({"name": "Jo Placeholder", "email": "jo@example.net"})
    revised = revise_plan(plan, DEFAULT_TEMPLATE, draft, author_id="therapist_1", at=T0 + timedelta(hours=1))
    contacts = revised.latest.section("people_to_ask").contacts
    assert contacts[0].contact_id == sister_id and contacts[0].phone == "+15550100199"
    assert contacts[2].contact_id not in {c.contact_id for c in plan.latest.contacts()}
    assert revised.contact(sister_id).name == "Sam Example"


def test_a_removed_contact_can_come_back_with_the_same_id_but_ids_cannot_be_invented():
    plan = make_plan()
    friend = plan.latest.section("people_to_ask").contacts[1]
    draft = draft_from_version(plan.latest)
    del draft["people_to_ask"][1]
    v2 = revise_plan(plan, DEFAULT_TEMPLATE, draft, author_id="t", at=T0 + timedelta(hours=1))
    with pytest.raises(PlanContactNotFound):
        v2.contact(friend.contact_id)
    draft["people_to_ask"].append(friend.model_dump(exclude_none=True))
    v3 = revise_plan(v2, DEFAULT_TEMPLATE, draft, author_id="t", at=T0 + timedelta(hours=2))
    assert v3.contact(friend.contact_id).name == friend.name

    draft["people_to_ask"][0]["contact_id"] = "contact_made_up"
    with pytest.raises(PlanInvalid) as caught:
        revise_plan(v3, DEFAULT_TEMPLATE, draft, author_id="t", at=T0 + timedelta(hours=3))
    assert ("people_to_ask", "unknown_contact") in problems(caught.value)


def test_unknown_version_is_a_named_error():
    with pytest.raises(PlanVersionNotFound) as caught:
        make_plan().version(2)
    assert caught.value.code == "plan_version_not_found"


def test_required_sections_must_be_filled():
    draft = valid_draft()
    draft["warning_signs"] = ["   "]
    del draft["coping_on_my_own"]
    draft["professionals_and_services"] = []
    with pytest.raises(PlanInvalid) as caught:
        parse_draft(DEFAULT_TEMPLATE, draft)
    assert problems(caught.value) == {
        ("warning_signs", "required"), ("coping_on_my_own", "required"), ("professionals_and_services", "required"),
    }
    assert caught.value.code == "plan_invalid"
    assert "Please fill in" in caught.value.message


def test_contact_problems_are_reported_per_field():
    draft = valid_draft()
    draft["people_to_ask"] = [
        {"name": "", "phone": "+1 555 0100 101"},
        {"name": "Bad Phone", "phone": "555-0100"},
        {"name": "Bad Email", "email": "not-an-email"},
        {"name": "No Way", "relationship": "neighbour"},
        {"name": "Typo", "phone": "+1 555 0100 103", "phnoe": "x"},
    ]
    with pytest.raises(PlanInvalid) as caught:
        parse_draft(DEFAULT_TEMPLATE, draft)
    found = {(i.item, i.problem, i.field) for i in caught.value.issues}
    assert (0, "missing_name", "name") in found
    assert (1, "invalid_phone", "phone") in found
    assert (2, "invalid_email", "email") in found
    assert (3, "unreachable", None) in found
    assert (4, "unknown_field", None) in found
    assert caught.value.details["issues"][0]["section"] == "people_to_ask"


def test_limits_on_lengths_and_counts():
    draft = valid_draft()
    draft["warning_signs"] = ["x" * 301]
    draft["coping_on_my_own"] = [f"idea {i}" for i in range(11)]
    draft["what_matters"] = "y" * 2001
    draft["people_to_ask"] = [{"name": "N" * 121, "phone": "+15550100101"}]
    with pytest.raises(PlanInvalid) as caught:
        parse_draft(DEFAULT_TEMPLATE, draft)
    assert problems(caught.value) == {
        ("warning_signs", "too_long"), ("coping_on_my_own", "too_many_items"),
        ("what_matters", "too_long"), ("people_to_ask", "too_long"),
    }
    too_long = next(i for i in caught.value.issues if i.section == "warning_signs")
    assert "301 characters" in too_long.message and "300" in too_long.message


def test_wrong_shapes_and_unknown_sections():
    draft = valid_draft()
    draft["warning_signs"] = "just a string"
    draft["what_matters"] = ["a list"]
    draft["people_to_ask"] = "Sam"
    draft["favourite_colour"] = ["blue"]
    with pytest.raises(PlanInvalid) as caught:
        parse_draft(DEFAULT_TEMPLATE, draft)
    assert {
        ("warning_signs", "wrong_kind"), ("what_matters", "wrong_kind"), ("people_to_ask", "wrong_kind"),
        ("favourite_colour", "unknown_section"),
    } <= problems(caught.value)


def test_a_program_template_with_its_own_limits():
    template = PlanTemplate(template_id="program-x-1", name="Program X", sections=(
        TemplateSection(key="signs", title="Signs", kind="items", required=True, max_items=2, max_length=10),
    ))
    ok = create_plan(template, "client_2", {"signs": ["short", "also ok"]}, author_id="t", at=T0)
    assert ok.latest.template_id == "program-x-1"
    with pytest.raises(PlanInvalid) as caught:
        create_plan(template, "client_2", {"signs": ["a", "b", "c"]}, author_id="t", at=T0)
    assert problems(caught.value) == {("signs", "too_many_items")}


def test_lethal_means_notes_come_from_the_tagged_section():
    assert make_plan().lethal_means_notes(DEFAULT_TEMPLATE) == ("Sam keeps the spare medication at her place",)


def test_versions_cannot_go_back_in_time():
    plan = make_plan()
    with pytest.raises(ValidationError, match="older"):
        revise_plan(plan, DEFAULT_TEMPLATE, valid_draft(), author_id="t", at=T0 - timedelta(minutes=1))


def test_naive_timestamps_are_refused():
    with pytest.raises(ValidationError):
        create_plan(DEFAULT_TEMPLATE, "c", valid_draft(), author_id="t", at=T0.replace(tzinfo=None))
