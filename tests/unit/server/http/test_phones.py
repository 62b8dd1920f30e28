"""Phone numbers as people of the program's country read them (server/http/phones.py)."""

from __future__ import annotations

import pytest

from handoff.values import normalise_phone
from server.http.phones import display_phone, editable_phone


@pytest.mark.parametrize(("number", "region", "shown"), [
    ("+15555550142", "US", "(555) 555-0142"),  # the program's own country: as people there write it
    ("+15550142", "US", "555-0142"),  # a short test number is still spaced, never squashed
    ("+442079460958", "US", "+44 20 7946 0958"),  # another country: international form
    ("+442079460958", "GB", "020 7946 0958"),
    ("+15555550142", "GB", "+1 555-555-0142"),
    ("988", "US", "988"),  # a short service number stays as it is
    ("911", "US", "911"),
    ("not a number", "US", "not a number"),  # shown as given, never dropped
    ("", "US", ""),
    (None, "US", None),
])
def test_display_phone(number, region, shown):
    assert display_phone(number, region) == shown


@pytest.mark.parametrize("stored", ["+15550100101", "+15550142", "+442079460958"])
def test_an_editable_number_is_spaced_and_saves_back_unchanged(stored):
    shown = editable_phone(stored)
    assert shown != stored and " " in shown
    assert normalise_phone(shown) == stored
