"""The risk rules: baseline mood drop, self-harm vocabulary (negations and quotes), screener rules, missed
check-ins."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.monitoring.risk_rules import (
    MISSED_GRACE,
    Rule,
    baseline,
    check_in_rules,
    missed_rule,
    screener_rules,
)
from server.monitoring.schedule import due_times
from server.monitoring.screeners import GAD7, PHQ9, score
from server.monitoring.vocabulary import DEFAULT_PHRASES, raises_alert

T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)


@given(st.integers(0, 10), st.lists(st.integers(0, 10), max_size=20))
def test_mood_drop_fires_exactly_when_three_below_the_mean_of_the_last_seven(mood, previous):
    fired = {f.rule for f in check_in_rules(mood, None, previous, DEFAULT_PHRASES)}
    recent = previous[-7:]
    expected = len(recent) >= 3 and mood <= sum(recent) / len(recent) - 3
    assert (Rule.MOOD_DROP in fired) == expected


def test_baseline_needs_three_check_ins():
    assert baseline([5, 5]) is None
    assert baseline([1, 9, 9, 9, 9, 9, 9, 9]) == 9


@pytest.mark.parametrize("text", [
    "I want to hurt myself", "I think I might kill myself tonight", "Feeling suicidal again",
    "Had self-harm urges", "Some days I want to die.", "I'm fine but I want to end my life",
    "I don't know if I want to hurt myself",
])
def test_self_harm_words_raise_an_alert_for_review(text):
    assert raises_alert(text)
    assert [f.rule for f in check_in_rules(7, text, [], DEFAULT_PHRASES)] == [Rule.SELF_HARM_WORDS]


@pytest.mark.parametrize("text", [
    "I would never hurt myself", "I'm not suicidal, just tired", "I don't want to kill myself",
    "The film was about \u201csuicide\u201d prevention week", 'She sang "I want to die" at karaoke',
    "No self harm this week", "Slept badly, mood ok", "Killed it at work today",
])
def test_negated_quoted_and_harmless_text_does_not(text):
    assert raises_alert(text) == []


def test_the_program_word_list_is_used():
    assert raises_alert("I feel like disappearing", ["disappearing"]) == ["disappearing"]
    assert raises_alert("I want to hurt myself", ["disappearing"]) == []


@given(st.text(max_size=200))
def test_the_matcher_never_fails_on_any_text(text):
    assert isinstance(raises_alert(text), list)


@given(st.fixed_dictionaries({f"q{n}": st.integers(0, 3) for n in range(1, 10)}))
def test_phq9_item9_is_urgent_and_the_severe_band_alerts(answers):
    result = score(PHQ9, answers)
    fired = {f.rule: f for f in screener_rules(result)}
    assert (Rule.PHQ9_ITEM9 in fired) == (answers["q9"] > 0)
    assert (Rule.SEVERE_BAND in fired) == (result.total >= 20)
    if Rule.PHQ9_ITEM9 in fired:
        assert fired[Rule.PHQ9_ITEM9].urgency == "urgent"
    for f in fired.values():  # subjects carry no health information
        assert str(result.total) not in f.subject and "PHQ" not in f.subject


def test_gad7_severe_band_alerts():
    assert [f.rule for f in screener_rules(score(GAD7, {f"q{n}": 3 for n in range(1, 8)}))] == [Rule.SEVERE_BAND]
    assert screener_rules(score(GAD7, {f"q{n}": 2 for n in range(1, 8)})) == []


DUES = [T0 + timedelta(days=n) for n in range(5)]


def test_two_missed_in_a_row_fire_once_per_run():
    now = DUES[1] + MISSED_GRACE + timedelta(minutes=1)
    fired = missed_rule(DUES, [], now)
    assert fired is not None and fired.rule is Rule.MISSED_CHECK_INS and fired.key.endswith(DUES[1].isoformat())
    assert missed_rule(DUES, [], DUES[1] + MISSED_GRACE - timedelta(minutes=1)) is None  # not passed yet
    assert missed_rule(DUES, [DUES[1] + timedelta(hours=3)], now) is None  # one was done
    assert missed_rule(DUES, [DUES[0] - timedelta(hours=2)], now) is None  # done a little early counts
    assert missed_rule(DUES[:2], [], DUES[1] + timedelta(days=4)) is None  # old misses: history, not news


@given(st.lists(st.booleans(), min_size=2, max_size=5), st.integers(0, 4))
def test_missed_fires_iff_the_last_two_passed_were_missed(done, hours_late):
    dues = DUES[:len(done)]
    submitted = [due + timedelta(hours=hours_late) for due, was in zip(dues, done) if was]
    now = dues[-1] + MISSED_GRACE + timedelta(seconds=1)
    assert (missed_rule(dues, submitted, now) is not None) == (not done[-1] and not done[-2])


def test_due_times_are_on_the_program_clock():
    dues = due_times(date(2027, 3, 13), 3, time(9, 0), "America/Chicago")  # DST starts on the 14th
    assert [d.hour for d in dues] == [15, 14, 14]


@pytest.mark.parametrize(("text", "fires"), [
    ("Hurt myself? Never.", True),  # the negation is in another sentence
    ("The last thing I would want is to hurt myself", True),
    ("I can't stop thinking I want to die", False),  # a real miss: "can't" does not negate the phrase
    ("My friend told me to kill myself", True),  # reported speech without quotes
    ("I could kill myself for forgetting", True),  # a figure of speech
])
def test_what_the_simple_matcher_cannot_do_as_documented(text, fires):
    assert bool(raises_alert(text)) is fires
