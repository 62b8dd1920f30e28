"""Every clinician of the program can see that a crisis is open (so it never lives on one screen only),
without its content: no client name, no session title, no timeline. Another program sees nothing."""

from __future__ import annotations

from server.db.tables import StaffRole
from tests.integration.crisis.helpers import scene, start_crisis, walk_to_closed

WATCH = "/api/program/crises"


async def test_open_crises_are_visible_to_the_program_without_their_content(world):
    s = await scene(world)
    colleague = await world.therapist(program_id=s.therapist.program_id)
    admin = await world.therapist(program_id=s.therapist.program_id, role=StaffRole.ADMIN)
    stranger = await world.therapist(role=StaffRole.ADMIN)
    status, none = await world.request("GET", WATCH, colleague.access_token)
    assert (status, none) == (200, {"crises": []})

    crisis = await start_crisis(world, s)
    status, mine = await world.request("GET", WATCH, s.therapist.access_token)
    assert status == 200 and [c["crisis_id"] for c in mine["crises"]] == [crisis["crisis_id"]]
    row = mine["crises"][0]
    assert row["yours"] is True and row["state"] == "active" and row["opened_by_role"] == "therapist"
    assert row["responsible_clinician_id"] == s.therapist.id and row["session_id"] == s.session_id
    status, theirs = await world.request("GET", WATCH, colleague.access_token)
    assert [c["yours"] for c in theirs["crises"]] == [False]
    assert "Jordan" not in str(theirs) and s.client.session["title"] not in str(theirs)
    status, lead = await world.request("GET", WATCH, admin.access_token)
    assert len(lead["crises"]) == 1
    status, other = await world.request("GET", WATCH, stranger.access_token)
    assert (status, other) == (200, {"crises": []})
    assert (await world.request("GET", WATCH, s.client.token))[0] == 403  # staff only

    await walk_to_closed(world, s, crisis)
    status, after = await world.request("GET", WATCH, colleague.access_token)
    assert after == {"crises": []}
