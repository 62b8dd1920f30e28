"""PHQ-9 and GAD-7 scored with their published bands; the engine refuses what it cannot score."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.monitoring.screeners import (
    GAD7,
    PHQ9,
    AskIf,
    Band,
    Instrument,
    Item,
    Option,
    ScreenerError,
    score,
)

PHQ9_BANDS = [(0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 19, "moderately severe"),
              (20, 27, "severe")]
GAD7_BANDS = [(0, 4, "minimal"), (5, 9, "mild"), (10, 14, "moderate"), (15, 21, "severe")]


def _expected(bands, total):
    return next(label for low, high, label in bands if low <= total <= high)


def answers(instrument):
    return st.fixed_dictionaries({i.key: st.integers(0, 3) for i in instrument.scored_items})


@given(answers(PHQ9))
def test_phq9_total_and_band_follow_the_published_scoring(given_answers):
    result = score(PHQ9, given_answers)
    assert result.total == sum(given_answers.values())
    assert result.band == _expected(PHQ9_BANDS, result.total)
    assert result.severe == (result.total >= 20)
    assert result.urgent_items == (("q9",) if given_answers["q9"] > 0 else ())


@given(answers(GAD7), st.integers(0, 3))
def test_gad7_total_and_band_and_the_difficulty_question_is_not_added(given_answers, difficulty):
    result = score(GAD7, given_answers | {"q8": difficulty})
    assert result.total == sum(given_answers.values())
    assert result.band == _expected(GAD7_BANDS, result.total)
    assert result.severe == (result.total >= 15)


def test_the_published_items_are_there_unaltered():
    assert len(PHQ9.scored_items) == 9 and len(GAD7.scored_items) == 7
    assert PHQ9.items[8].text == "Thoughts that you would be better off dead or of hurting yourself in some way"
    assert GAD7.items[0].text == "Feeling nervous, anxious or on edge"
    assert [o.label for o in PHQ9.items[0].options] == ["Not at all", "Several days", "More than half the days",
                                                       "Nearly every day"]
    assert PHQ9.max_score == 27 and GAD7.max_score == 21
    assert "No permission required" in PHQ9.attribution


@pytest.mark.parametrize("bad", [{"q1": 1}, {**{f"q{n}": 0 for n in range(1, 10)}, "q3": 4},
                                 {**{f"q{n}": 0 for n in range(1, 10)}, "q11": 0}])
def test_incomplete_or_impossible_answers_are_refused(bad):
    with pytest.raises(ScreenerError):
        score(PHQ9, bad)


def test_a_program_loaded_instrument_is_scored_by_the_same_engine():
    yes_no = (Option("No", 0), Option("Yes", 1))
    loaded = Instrument(key="local", title="Local", preamble="(the program's own licensed text)",
                        items=(Item("a", "item a", yes_no), Item("b", "item b", yes_no)),
                        bands=(Band(0, 0, "none"), Band(1, 2, "positive", severe=True)),
                        urgent_items=frozenset({"b"}))
    result = score(loaded, {"a": 0, "b": 1})
    assert (result.total, result.band, result.severe, result.urgent_items) == (1, "positive", True, ("b",))


@pytest.mark.parametrize("bands", [(Band(0, 1, "a"),), (Band(0, 0, "a"), Band(2, 2, "b")),
                                   (Band(1, 2, "a"),)])
def test_bands_must_cover_every_score_once(bands):
    with pytest.raises(ScreenerError):
        Instrument(key="x", title="x", preamble="", items=(Item("a", "a", (Option("n", 0), Option("y", 1))),
                                                           Item("b", "b", (Option("n", 0), Option("y", 1)))),
                   bands=bands)


@st.composite
def instruments(draw):
    """Any instrument the engine accepts: items with distinct points, bands cutting 0..max into pieces."""
    points = draw(st.lists(st.lists(st.integers(0, 5), min_size=1, max_size=4, unique=True), min_size=1, max_size=6))
    items = tuple(Item(f"i{n}", f"item {n}", tuple(Option(str(p), p) for p in ps)) for n, ps in enumerate(points))
    top = sum(max(ps) for ps in points)
    cuts = sorted(draw(st.sets(st.integers(1, top), max_size=4))) if top else []
    edges = [0, *cuts, top + 1]
    bands = tuple(Band(low, high - 1, f"b{n}") for n, (low, high) in enumerate(itertools.pairwise(edges)))
    return Instrument(key="gen", title="gen", preamble="", items=items, bands=bands)


@given(st.data())
def test_any_complete_answer_of_any_instrument_lands_in_exactly_one_band(data):
    instrument = data.draw(instruments())
    answers = {i.key: data.draw(st.sampled_from([o.points for o in i.options])) for i in instrument.items}
    result = score(instrument, answers)
    assert result.total == sum(answers.values()) <= instrument.max_score
    assert [b.label for b in instrument.bands if b.low <= result.total <= b.high] == [result.band]


YES_NO = (Option("No", 0), Option("Yes", 1))
# the shape of a suicide-risk screener with skip logic; our own placeholder text, not any licensed wording
BRANCHING = Instrument(
    key="branching", title="Branching", preamble="(the program's own licensed text)",
    items=(Item("q1", "first", YES_NO), Item("q2", "second", YES_NO),
           Item("q3", "asked after a yes to the second", YES_NO, ask_if=AskIf("q2", 1)),
           Item("q4", "asked after a yes to the second", YES_NO, ask_if=AskIf("q2", 1))),
    bands=(Band(0, 0, "none"), Band(1, 2, "some"), Band(3, 4, "high", severe=True)),
    urgent_items=frozenset({"q4"}))


def test_skip_logic_asks_follow_ups_only_after_the_answer_that_opens_them():
    assert score(BRANCHING, {"q1": 1, "q2": 0}).total == 1
    with pytest.raises(ScreenerError):
        score(BRANCHING, {"q1": 1, "q2": 0, "q3": 1})  # not asked: an answer is refused
    with pytest.raises(ScreenerError):
        score(BRANCHING, {"q1": 1, "q2": 1})  # asked: must be answered
    result = score(BRANCHING, {"q1": 1, "q2": 1, "q3": 0, "q4": 1})
    assert (result.total, result.band, result.urgent_items) == (3, "high", ("q4",))


def test_an_item_may_depend_only_on_an_earlier_one():
    with pytest.raises(ScreenerError):
        Instrument(key="x", title="x", preamble="", items=(Item("a", "a", YES_NO, ask_if=AskIf("b", 1)),
                                                           Item("b", "b", YES_NO)),
                   bands=(Band(0, 2, "any"),))
