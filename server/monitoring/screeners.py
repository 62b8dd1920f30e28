"""Screeners: an instrument is items with answer options worth points and severity bands over the total.

PHQ-9 and GAD-7 ship with their published wording, unaltered: both were developed by Drs. Robert L.
Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues with an educational grant from Pfizer Inc.,
and carry the statement "No permission required to reproduce, translate, display or distribute" (see
docs/monitoring.md). Any other instrument — e.g. a suicide-risk screener whose licence requires the
program to obtain the text itself — is loaded by the program as an :class:`Instrument` definition; the
engine scores it the same way (with skip logic: an item may be asked only after a given answer to an
earlier one) and Steadyline ships none of its text."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field


class ScreenerError(ValueError):
    """An instrument definition or a set of answers that cannot be scored."""


@dataclass(frozen=True)
class Option:
    label: str
    points: int


@dataclass(frozen=True)
class AskIf:
    """An item asked only when an earlier item was answered with at least ``at_least`` points (the skip
    logic of screeners such as suicide-risk ones: follow-up questions only after a "yes")."""

    item: str
    at_least: int


@dataclass(frozen=True)
class Item:
    key: str
    text: str
    options: tuple[Option, ...]
    scored: bool = True  # PHQ-9/GAD-7's closing "how difficult" question is asked, never added up
    ask_if: AskIf | None = None

    def __post_init__(self) -> None:
        if not self.options:
            raise ScreenerError(f"item {self.key} has no options")
        if len({o.points for o in self.options}) != len(self.options):
            raise ScreenerError(f"item {self.key} has two options worth the same points")

    def asked(self, answers: dict[str, int]) -> bool:
        return self.ask_if is None or answers.get(self.ask_if.item, 0) >= self.ask_if.at_least


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str
    severe: bool = False  # a result in this band raises an alert


@dataclass(frozen=True)
class Instrument:
    key: str
    title: str
    preamble: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    attribution: str = ""
    urgent_items: frozenset[str] = field(default_factory=frozenset)  # any answer above 0 is urgent

    def __post_init__(self) -> None:
        keys = [i.key for i in self.items]
        if not keys or len(set(keys)) != len(keys):
            raise ScreenerError("an instrument needs items with distinct keys")
        if not self.urgent_items <= set(keys):
            raise ScreenerError("urgent items must be items of the instrument")
        for n, item in enumerate(self.items):
            if item.ask_if is not None and item.ask_if.item not in keys[:n]:
                raise ScreenerError(f"item {item.key} can depend only on an item before it")
        ordered = sorted(self.bands, key=lambda b: b.low)
        if not ordered or ordered[0].low != 0 or ordered[-1].high != self.max_score:
            raise ScreenerError(f"bands must cover 0..{self.max_score}")
        for before, after in itertools.pairwise(ordered):
            if after.low != before.high + 1:
                raise ScreenerError("bands must follow one another without gaps or overlaps")

    @property
    def scored_items(self) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.scored)

    @property
    def max_score(self) -> int:
        return sum(max(o.points for o in i.options) for i in self.scored_items)

    def band_of(self, total: int) -> Band:
        for band in self.bands:
            if band.low <= total <= band.high:
                return band
        raise ScreenerError(f"score {total} is outside 0..{self.max_score}")


@dataclass(frozen=True)
class ScreenerResult:
    instrument: str
    answers: dict[str, int]
    total: int
    band: str
    severe: bool
    urgent_items: tuple[str, ...]  # urgent items answered above 0


def score(instrument: Instrument, answers: dict[str, int]) -> ScreenerResult:
    """Score a complete set of answers (points per item key); unscored items may be left out."""
    unknown = set(answers) - {i.key for i in instrument.items}
    if unknown:
        raise ScreenerError(f"not items of {instrument.key}: {sorted(unknown)}")
    for item in instrument.items:
        if not item.asked(answers):
            if item.key in answers:
                raise ScreenerError(f"item {item.key} is not asked after the answers before it")
            continue
        if item.key not in answers:
            if item.scored:
                raise ScreenerError(f"item {item.key} is not answered")
            continue
        if answers[item.key] not in {o.points for o in item.options}:
            raise ScreenerError(f"item {item.key}: {answers[item.key]} is not one of its answers")
    total = sum(answers.get(i.key, 0) for i in instrument.scored_items)  # an item not asked counts 0
    band = instrument.band_of(total)
    urgent = tuple(k for k in sorted(instrument.urgent_items) if answers.get(k, 0) > 0)
    return ScreenerResult(instrument=instrument.key, answers=dict(answers), total=total, band=band.label,
                          severe=band.severe, urgent_items=urgent)


FREQUENCY = (Option("Not at all", 0), Option("Several days", 1), Option("More than half the days", 2),
             Option("Nearly every day", 3))
DIFFICULTY = (Option("Not difficult at all", 0), Option("Somewhat difficult", 1), Option("Very difficult", 2),
              Option("Extremely difficult", 3))
PFIZER = ("Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, with an "
          "educational grant from Pfizer Inc. No permission required to reproduce, translate, display or "
          "distribute.")


def _items(prefix: str, texts: tuple[str, ...], difficulty: str) -> tuple[Item, ...]:
    asked = tuple(Item(f"{prefix}{n}", text, FREQUENCY) for n, text in enumerate(texts, start=1))
    return asked + (Item(f"{prefix}{len(texts) + 1}", difficulty, DIFFICULTY, scored=False),)


PHQ9 = Instrument(
    key="phq9", title="PHQ-9",
    preamble="Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    items=_items("q", (
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself \u2014 or that you are a failure or have let yourself or your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        ("Moving or speaking so slowly that other people could have noticed? Or the opposite \u2014 being so "
        "fidgety or restless that you have been moving around a lot more than usual"),
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ), "If you checked off any problems, how difficult have these problems made it for you to do your work, "
       "take care of things at home, or get along with other people?"),
    bands=(Band(0, 4, "minimal"), Band(5, 9, "mild"), Band(10, 14, "moderate"),
           Band(15, 19, "moderately severe"), Band(20, 27, "severe", severe=True)),
    attribution=PFIZER, urgent_items=frozenset({"q9"}))

GAD7 = Instrument(
    key="gad7", title="GAD-7",
    preamble="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=_items("q", (
        "Feeling nervous, anxious or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    ), "If you checked off any problems, how difficult have these made it for you to do your work, take care "
       "of things at home, or get along with other people?"),
    bands=(Band(0, 4, "minimal"), Band(5, 9, "mild"), Band(10, 14, "moderate"), Band(15, 21, "severe", severe=True)),
    attribution=PFIZER)

BUILT_IN: dict[str, Instrument] = {PHQ9.key: PHQ9, GAD7.key: GAD7}
