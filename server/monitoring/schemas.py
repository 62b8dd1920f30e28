"""Request and response bodies of monitoring: check-ins, screeners, schedules, the word list, alerts."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, model_validator

from server.http.schemas import Body
from server.monitoring.schedule import MAX_DAYS
from server.monitoring.screeners import AskIf, Band, Instrument, Item, Option, ScreenerError
from server.monitoring.vocabulary import MAX_PHRASE_LENGTH, MAX_PHRASES


class SubmitCheckIn(Body):
    mood: int = Field(ge=0, le=10, description="0 (very low) to 10 (very good)")
    sleep_hours: float | None = Field(default=None, ge=0, le=24, description="hours slept last night")
    sleep_quality: int | None = Field(default=None, ge=0, le=4, description="0 (very poor) to 4 (very good)")
    cravings: int = Field(ge=0, le=10, description="cravings or urges, 0 (none) to 10 (very strong)")
    note: str | None = Field(default=None, max_length=2000, description="anything they want to add")

    @model_validator(mode="after")
    def _sleep(self):
        if self.sleep_hours is None and self.sleep_quality is None:
            raise ValueError("give sleep as hours or as a 0-4 quality")
        return self


class SubmitScreener(Body):
    answers: dict[str, int] = Field(description="points by item key, e.g. {\"q1\": 0, …}", max_length=100)


class SubmissionReceived(BaseModel):
    id: str
    submitted_at: datetime
    message: str = Field(description="What the client's page says: thanks, and where to find help when it matters")
    show_help: bool = Field(description="True when a rule marked it urgent: the page shows the help button and lines")


class OptionBody(Body):
    label: str = Field(min_length=1, max_length=200)
    points: int = Field(ge=0, le=100)


class AskIfBody(Body):
    item: str = Field(pattern=r"^[a-z0-9_]{1,32}$", description="an earlier item's key")
    at_least: int = Field(ge=0, le=100, description="asked only when that item scored at least this")


class ItemBody(Body):
    key: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    text: str = Field(min_length=1, max_length=1000)
    options: list[OptionBody] = Field(min_length=1, max_length=10)
    scored: bool = True
    ask_if: AskIfBody | None = None


class BandBody(Body):
    low: int = Field(ge=0)
    high: int = Field(ge=0)
    label: str = Field(min_length=1, max_length=60)
    severe: bool = False


class InstrumentBody(Body):
    """A screener a program loads itself (e.g. a licensed suicide-risk screener): Steadyline ships its engine,
    not its text."""

    title: str = Field(min_length=1, max_length=120)
    preamble: str = Field(default="", max_length=1000)
    items: list[ItemBody] = Field(min_length=1, max_length=60)
    bands: list[BandBody] = Field(min_length=1, max_length=10)
    urgent_items: list[str] = Field(default_factory=list, max_length=60)
    attribution: str = Field(default="", max_length=1000)

    def instrument(self, key: str) -> Instrument:
        return Instrument(
            key=key, title=self.title, preamble=self.preamble, attribution=self.attribution,
            items=tuple(Item(i.key, i.text, tuple(Option(o.label, o.points) for o in i.options), i.scored,
                             AskIf(i.ask_if.item, i.ask_if.at_least) if i.ask_if else None) for i in self.items),
            bands=tuple(Band(b.low, b.high, b.label, b.severe) for b in self.bands),
            urgent_items=frozenset(self.urgent_items))


def instrument_from(key: str, definition: dict) -> Instrument:
    try:
        return InstrumentBody.model_validate(definition).instrument(key)
    except (ValueError, ScreenerError) as error:
        raise ScreenerError(str(error)) from error


class OptionView(BaseModel):
    label: str
    points: int


class AskIfView(BaseModel):
    item: str
    at_least: int


class ItemView(BaseModel):
    key: str
    text: str
    options: list[OptionView]
    scored: bool
    ask_if: AskIfView | None = Field(default=None, description="asked only after this answer to an earlier item")


class InstrumentView(BaseModel):
    key: str
    title: str
    preamble: str
    attribution: str
    items: list[ItemView]


class InstrumentList(BaseModel):
    instruments: list[InstrumentView]


def instrument_view(instrument: Instrument) -> InstrumentView:
    return InstrumentView(key=instrument.key, title=instrument.title, preamble=instrument.preamble,
                          attribution=instrument.attribution,
                          items=[ItemView(key=i.key, text=i.text, scored=i.scored,
                                          options=[OptionView(label=o.label, points=o.points) for o in i.options],
                                          ask_if=AskIfView(item=i.ask_if.item, at_least=i.ask_if.at_least)
                                          if i.ask_if else None)
                                 for i in instrument.items])


class CheckInStatus(BaseModel):
    due_today: bool = Field(description="a check-in is asked of them today and none is in yet")
    last_submitted_at: datetime | None
    next_due_at: datetime | None
    instruments: list[InstrumentView]


class ScheduleCheckIns(Body):
    days: int = Field(ge=1, le=MAX_DAYS, description="how many days, one check-in a day")
    time: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM on the program's clock")
    first_day: date | None = Field(default=None, description="default: today on the program's clock; within 90 "
                                   "days of it")


class ScheduleView(BaseModel):
    schedule_id: str
    first_day: date
    days: int
    time: str
    timezone: str
    due: list[datetime]
    created_by: str
    created_at: datetime


class ScheduleAnswer(BaseModel):
    schedule: ScheduleView | None


class CheckInView(BaseModel):
    id: str
    submitted_at: datetime
    mood: int
    sleep_hours: float | None
    sleep_quality: int | None
    cravings: int
    note: str | None


class ScreenerView(BaseModel):
    id: str
    instrument: str
    submitted_at: datetime
    answers: dict[str, int]
    total: int
    band: str


class MonitoringHistory(BaseModel):
    check_ins: list[CheckInView]
    screeners: list[ScreenerView]
    baseline_mood: float | None = Field(description="mean mood of the last (up to) 7 check-ins, from 3 on")


class Vocabulary(Body):
    phrases: list[str] = Field(max_length=MAX_PHRASES)

    @model_validator(mode="after")
    def _phrases(self):
        if any(not p.strip() or len(p) > MAX_PHRASE_LENGTH for p in self.phrases):
            raise ValueError(f"each phrase has 1 to {MAX_PHRASE_LENGTH} characters")
        return self


class VocabularyView(BaseModel):
    phrases: list[str]
    default: bool = Field(description="true: the program has not set its own list")


