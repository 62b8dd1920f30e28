"""Safety plans through the real app: every save is a new version with author and time, older
versions stay readable, and invalid drafts and templates get clear 422 answers."""

from __future__ import annotations

import copy

from handoff.plan_template import DEFAULT_TEMPLATE
from server.db.tables import StaffRole
from tests.integration.plans.helpers import draft, enrol, plan_body, write_plan


async def test_every_save_is_a_new_version_and_older_versions_stay_readable(world):
    therapist = await world.therapist()
    colleague = await world.therapist(program_id=therapist.program_id)
    client = await enrol(world, therapist)
    first = await write_plan(world, therapist, client.client_id, plan_body(change_note="first plan"))
    assert first["version"]["number"] == 1 and first["version"]["author_id"] == therapist.id
    contacts = {c["name"]: c["contact_id"] for s in first["version"]["sections"] for c in s["contacts"]}

    changed = draft(warning_signs=["I stop answering messages", "I sleep all day"])
    changed["people_to_ask"][0]["contact_id"] = contacts["Sam Example"]
    second = await write_plan(world, colleague, client.client_id, plan_body(changed, change_note="after review"))
    assert second["version"]["number"] == 2 and second["version"]["author_id"] == colleague.id

    status, plan = await world.request("GET", f"/api/clients/{client.client_id}/safety-plan", therapist.access_token)
    assert status == 200, plan
    assert [(h["number"], h["author_id"], h["change_note"]) for h in plan["history"]] == [
        (1, therapist.id, "first plan"), (2, colleague.id, "after review")]
    assert plan["history"][0]["created_at"] <= plan["history"][1]["created_at"]
    signs = next(s for s in plan["version"]["sections"] if s["key"] == "warning_signs")
    assert signs["items"] == ["I stop answering messages", "I sleep all day"]
    assert signs["title"] == DEFAULT_TEMPLATE.section("warning_signs").title
    people = next(s for s in plan["version"]["sections"] if s["key"] == "people_to_ask")["contacts"]
    assert people[0]["contact_id"] == contacts["Sam Example"]  # the same person keeps their id

    status, old = await world.request("GET", f"/api/clients/{client.client_id}/safety-plan/versions/1",
                                      therapist.access_token)
    assert status == 200, old
    assert next(s for s in old["sections"] if s["key"] == "warning_signs")["items"] == [
        "I stop answering messages", "I skip meals"]
    assert old["planned_location"]["one_line"].startswith("12 Example Street")
    status, missing = await world.request("GET", f"/api/clients/{client.client_id}/safety-plan/versions/9",
                                          therapist.access_token)
    assert (status, missing["code"]) == (404, "plan_version_not_found")


async def test_a_plan_edited_from_a_stale_version_is_refused(world):
    therapist = await world.therapist()
    client = await enrol(world, therapist)
    await write_plan(world, therapist, client.client_id, plan_body(base_version=0))
    status, body = await world.request("PUT", f"/api/clients/{client.client_id}/safety-plan",
                                       therapist.access_token, json=plan_body(base_version=0))
    assert (status, body["code"]) == (409, "plan_version_conflict")


async def test_an_invalid_draft_names_every_problem(world):
    therapist = await world.therapist()
    client = await enrol(world, therapist)
    bad = draft(warning_signs=[], people_to_ask=[{"name": "Sam Example"}], nonsense=["x"])
    status, body = await world.request("PUT", f"/api/clients/{client.client_id}/safety-plan",
                                       therapist.access_token, json=plan_body(bad))
    assert status == 422 and body["code"] == "plan_invalid", body
    fields = {e["field"].split(".")[0] for e in body["errors"]}
    assert {"warning_signs", "people_to_ask", "nonsense"} <= fields
    assert "Please fill in" in body["title"]
    status, _ = await world.request("GET", f"/api/clients/{client.client_id}/safety-plan", therapist.access_token)
    assert status == 404  # nothing was saved


async def test_template_errors_are_clear_422s_and_a_program_template_shapes_its_plans(world):
    admin = await world.therapist(role=StaffRole.ADMIN)
    therapist = await world.therapist(program_id=admin.program_id)
    template = DEFAULT_TEMPLATE.model_dump(mode="json")

    duplicate = copy.deepcopy(template)
    duplicate["sections"].append(copy.deepcopy(duplicate["sections"][0]))
    status, body = await world.request("PUT", "/api/program/plan-template", admin.access_token,
                                       json={"template": duplicate})
    assert (status, body["code"]) == (422, "plan_template_invalid"), body
    assert "repeated: warning_signs" in body["title"]

    bad_key = copy.deepcopy(template)
    bad_key["sections"][1]["key"] = "Coping Alone"
    bad_key["sections"][2]["kind"] = "drawings"
    status, body = await world.request("PUT", "/api/program/plan-template", admin.access_token,
                                       json={"template": bad_key})
    assert status == 422 and body["code"] == "plan_template_invalid"
    assert {e["field"] for e in body["errors"]} == {"template.sections.1", "template.sections.2.kind"}, body
    assert "lower_snake_case" in body["title"]

    status, _ = await world.request("PUT", "/api/program/plan-template", therapist.access_token,
                                    json={"template": template})
    assert status == 403  # only admins shape the template

    own = {"template_id": "short-1", "name": "Short plan", "sections": [
        {"key": "warning_signs", "title": "Signs", "kind": "items", "required": True},
        {"key": "people", "title": "People", "kind": "contacts", "purpose": "support_people"}]}
    status, body = await world.request("PUT", "/api/program/plan-template", admin.access_token, json={"template": own})
    assert status == 200 and body["is_default"] is False, body
    status, body = await world.request("GET", "/api/program/plan-template", therapist.access_token)
    assert body["template"]["template_id"] == "short-1"
    client = await enrol(world, therapist)
    status, body = await world.request("PUT", f"/api/clients/{client.client_id}/safety-plan", therapist.access_token,
                                       json=plan_body(draft()))
    assert status == 422 and "not a section of this plan" in body["title"]
    saved = await write_plan(world, therapist, client.client_id,
                             plan_body({"warning_signs": ["Pacing"], "people": [{"name": "Sam Example",
                                                                                  "phone": "+1 555 0100 101"}]}))
    assert saved["version"]["template_id"] == "short-1"
    assert [s["title"] for s in saved["version"]["sections"]] == ["Signs", "People"]


async def test_the_client_reads_their_own_plan_with_phone_links(world):
    therapist = await world.therapist()
    client = await enrol(world, therapist)
    status, empty = await world.request("GET", "/api/participant/safety-plan", client.token)
    assert status == 200 and empty["has_plan"] is False
    assert {line["tel"] for line in empty["crisis_lines"]} >= {"tel:988;phone-context=+1", "tel:911;phone-context=+1"}
    await write_plan(world, therapist, client.client_id)
    status, own = await world.request("GET", "/api/participant/safety-plan", client.token)
    assert status == 200 and own["has_plan"] is True
    people = next(s for s in own["sections"] if s["key"] == "people_to_ask")["contacts"]
    # the number as people of the program's country write it (STEADYLINE_PHONE_REGION), the link in E.164
    assert people[0] == {"name": "Sam Example", "relationship": "sister", "phone": "(555) 010-0101",
                         "tel": "tel:+15550100101", "email": None}
    assert "contact_id" not in str(own)  # internal ids stay internal
    assert own["planned_address"].startswith("12 Example Street")
