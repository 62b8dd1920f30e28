"""The risk rules run on every submission (and when a due check-in passes). Each returns the alerts it
raises as :class:`Fired` values naming the rule; the subject never carries health information."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import mean

from server.monitoring.screeners import ScreenerResult
from server.monitoring.vocabulary import raises_alert

BASELINE_CHECK_INS = 7  # the client's own baseline: the mean mood of their previous (up to) 7 check-ins
BASELINE_MINIMUM = 3  # ... counted only once there are at least 3 of them
MOOD_DROP = 3  # a mood at least this far below that mean fires
MISSED_GRACE = timedelta(hours=12)  # a due check-in counts as done by one submitted within this of its time
MISSED_IN_A_ROW = 2
MISSED_LOOKBACK = timedelta(days=3)  # misses older than this are history, not news: no alert for them


class Rule(str, enum.Enum):
    PHQ9_ITEM9 = "phq9_item9"
    SEVERE_BAND = "severe_band"
    MOOD_DROP = "mood_drop"
    SELF_HARM_WORDS = "self_harm_words"
    MISSED_CHECK_INS = "missed_check_ins"


URGENCY = {Rule.PHQ9_ITEM9: "urgent", Rule.SEVERE_BAND: "high", Rule.MOOD_DROP: "normal",
           Rule.SELF_HARM_WORDS: "urgent", Rule.MISSED_CHECK_INS: "normal"}
SUBJECT = {Rule.PHQ9_ITEM9: "A screener answer needs review today",
           Rule.SEVERE_BAND: "A screener result needs review",
           Rule.MOOD_DROP: "A check-in differs from the client's usual",
           Rule.SELF_HARM_WORDS: "A check-in note needs a person to read it",
           Rule.MISSED_CHECK_INS: "Two check-ins in a row were missed"}


@dataclass(frozen=True)
class Fired:
    rule: Rule
    detail: str  # health information: kept only in the alert's encrypted body
    key: str = ""  # set when the same fact must not alert twice (e.g. the missed check-in's due time)

    @property
    def urgency(self) -> str:
        return URGENCY[self.rule]

    @property
    def subject(self) -> str:
        return SUBJECT[self.rule]


def baseline(previous_moods: list[int]) -> float | None:
    """The mean of the last ``BASELINE_CHECK_INS`` moods (oldest first), if there are enough of them."""
    recent = previous_moods[-BASELINE_CHECK_INS:]
    return mean(recent) if len(recent) >= BASELINE_MINIMUM else None


def check_in_rules(mood: int, note: str | None, previous_moods: list[int],
                   phrases: tuple[str, ...] | list[str]) -> list[Fired]:
    fired = []
    usual = baseline(previous_moods)
    if usual is not None and mood <= usual - MOOD_DROP:
        fired.append(Fired(Rule.MOOD_DROP, f"Mood {mood}/10; their mean of the last {min(len(previous_moods), 7)}"
                                           f" check-ins is {usual:.1f}."))
    words = raises_alert(note, phrases) if note else []
    if words:
        fired.append(Fired(Rule.SELF_HARM_WORDS, "Their note contains: " + ", ".join(f"\u201c{w}\u201d" for w in words)
                           + ". Please read it and decide what to do; nothing was done automatically."))
    return fired


def screener_rules(result: ScreenerResult) -> list[Fired]:
    fired = []
    if result.instrument == "phq9" and result.urgent_items:
        fired.append(Fired(Rule.PHQ9_ITEM9, f"PHQ-9 item 9 answered {result.answers['q9']} (of 3); "
                                            f"total {result.total}, {result.band}."))
    elif result.urgent_items:
        fired.append(Fired(Rule.PHQ9_ITEM9, f"{result.instrument}: urgent item(s) {', '.join(result.urgent_items)}"
                                            " answered above 0."))
    if result.severe:
        fired.append(Fired(Rule.SEVERE_BAND, f"{result.instrument} total {result.total}: {result.band}."))
    return fired


def missed_dues(dues: list[datetime], submitted: list[datetime], now: datetime) -> list[datetime]:
    """The due times that have passed (by ``MISSED_GRACE``) with no check-in within the grace of them."""
    return [due for due in sorted(dues) if due + MISSED_GRACE < now
            and not any(abs(at - due) <= MISSED_GRACE for at in submitted)]


def missed_rule(dues: list[datetime], submitted: list[datetime], now: datetime) -> Fired | None:
    """Fires when the last ``MISSED_IN_A_ROW`` due check-ins that have passed were all missed, the later of
    them within ``MISSED_LOOKBACK``; its key (the later due time) keeps one alert per run of misses."""
    passed = [due for due in sorted(dues) if due + MISSED_GRACE < now]
    if len(passed) < MISSED_IN_A_ROW:
        return None
    last = passed[-MISSED_IN_A_ROW:]
    if last[-1] < now - MISSED_LOOKBACK or missed_dues(last, submitted, now) != last:
        return None
    return Fired(Rule.MISSED_CHECK_INS, f"No check-in near {last[0]:%Y-%m-%d %H:%M} or {last[1]:%Y-%m-%d %H:%M} UTC.",
                 key=f"missed:{last[-1].isoformat()}")
