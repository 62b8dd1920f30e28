"""The override-reason check: what it refuses (filler) and, as documented, what it cannot judge."""

from __future__ import annotations

import pytest

from handoff.consent import validate_override_reason
from handoff.errors import OverrideReasonRequired
from handoff.override_reason import is_filler, thin_reason

FILLER = [
    "aaa bbb ccc ddd eee fff ggg hhh",
    "aaaa bbbb cccc dddd eeee ffff gggg",
    "abab cdcd efef ghgh ijij klkl mnmn",
    "asdasd qweqwe zxczxc fghfgh jkljkl",
    "lorem ipsum dolor sit amet consectetur adipiscing elit",
    "asdf qwer zxcv hjkl uiop tyui ghjk",
    "abc def ghi jkl mno pqr stu vwx yz",
    "bcd fgh jkl mnp qrs tvw xyz bcdf",
    "test testing tester tests foo bar baz",
    "Client took pills. blah blah blah blah blah blah blah blah blah blah blah",
]
REASONS = [
    "Client disclosed an overdose on video and is now drowsy; we cannot ask for consent.",
    "She said she has a rope at home and stopped answering; her phone goes to voicemail.",
    "Le client a pris des médicaments et ne répond plus, impossible de demander son accord.",
    "Клиент принял таблетки и больше не отвечает, согласие получить нельзя сейчас.",
]


@pytest.mark.parametrize("reason", FILLER)
def test_filler_is_refused(reason):
    assert thin_reason(reason)
    with pytest.raises(OverrideReasonRequired):
        validate_override_reason(reason)


@pytest.mark.parametrize("reason", REASONS)
def test_real_reasons_pass_in_several_scripts(reason):
    assert validate_override_reason("  " + reason + "  ") == reason


def test_what_it_cannot_tell():
    # Well-formed but empty of substance: the words are real, so it passes (the clinical lead judges it).
    assert not thin_reason("The client is fine and we are just checking things for now.")


def test_single_words():
    assert all(is_filler(w) for w in ("aaa", "zzzzz", "qwerty", "cba", "lorem", "n/a", "hjkl"))
    assert not any(is_filler(w) for w in ("pills", "rope", "drowsy", "bridge", "ohne"))
