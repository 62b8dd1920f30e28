"""The pure rules of messaging: where an urgent flag goes by office hours, and the text as it is kept."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from server.messaging.rules import MAX_LENGTH, Route, clean_text, route


@given(st.booleans(), st.booleans())
def test_only_an_urgent_message_goes_anywhere_and_after_hours_it_pages(urgent, office_open):
    where = route(urgent, office_open)
    assert (where is Route.NONE) == (not urgent)
    assert (where is Route.ON_CALL) == (urgent and not office_open)
    assert (where is Route.CARE_TEAM) == (urgent and office_open)


@given(st.text(max_size=MAX_LENGTH))
def test_kept_text_is_trimmed_has_no_control_characters_and_is_stable(text):
    kept = clean_text(text)
    assert kept == kept.strip()
    assert "\r" not in kept
    assert all(c in "\n\t" or ord(c) >= 32 and not 0x7F <= ord(c) < 0xA0 for c in kept)
    assert clean_text(kept) == kept
    assert len(kept) <= len(text)


def test_line_breaks_are_kept_as_newlines():
    assert clean_text("  one\r\ntwo\rthree\x00\x07 ") == "one\ntwo\nthree"
