"""Who may see an alert or an outreach task (``policy.sees_care_item``): the rule behind the live
dashboard's pushes and the alert and outreach lists."""

from __future__ import annotations

import pytest

from server.access.policy import CareItem, Principal, Role, sees_care_item

PROGRAM = "p1"
ITEM = CareItem(program_id=PROGRAM, client_id="c1", addressed_to=frozenset({"addressed"}),
                care_team=frozenset({"own", "lead"}))


def _who(staff_id: str, role: Role = Role.THERAPIST, program_id: str = PROGRAM) -> Principal:
    return Principal(id=staff_id, role=role, program_id=program_id)


@pytest.mark.parametrize(("principal", "sees"), [
    (_who("own"), True),  # the client's own therapist
    (_who("lead"), True),  # leads or co-hosts a session the client is in
    (_who("addressed"), True),  # the recipient, or whoever it was assigned to
    (_who("colleague"), False),  # same program, not on the care team
    (_who("admin", Role.ADMIN), True),
    (_who("admin", Role.ADMIN, "p2"), False),  # another program's admin
    (_who("own", Role.THERAPIST, "p2"), False),  # the same id in another program's token
    (_who("c1", Role.CLIENT), False),
    (_who("x", Role.SUPPORT), False),
    (_who("x", Role.RESPONDER), False),
])
def test_who_sees_an_item_about_a_client(principal, sees):
    assert sees_care_item(principal, ITEM) is sees


def test_an_item_about_the_whole_program_is_seen_by_its_clinicians_only():
    item = CareItem(program_id=PROGRAM, client_id=None)
    assert sees_care_item(_who("colleague"), item)
    assert not sees_care_item(_who("colleague", program_id="p2"), item)
    assert not sees_care_item(_who("c1", Role.CLIENT), item)
