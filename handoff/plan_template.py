"""Safety-plan templates: which sections a program's plans have and the limits on each.

A program may shape its own template; :data:`DEFAULT_TEMPLATE` is Steadyline's, written in our
own plain words (it deliberately does not reuse any published instrument's wording, which is
copyrighted). Sections carry a ``purpose`` tag so other code can find, say, the lethal-means notes
without depending on a program's section keys.
"""

from __future__ import annotations

import re
from enum import Enum

from pydantic import Field, model_validator

from .values import Value

_KEY = re.compile(r"^[a-z][a-z0-9_]{1,47}$")


class SectionKind(str, Enum):
    ITEMS = "items"  # a list of short text items
    CONTACTS = "contacts"  # a list of people or services: name, relationship, phone, email
    FREE_TEXT = "free_text"  # one block of text


class SectionPurpose(str, Enum):
    """What a section is for, independent of its key. At most one section per purpose other
    than ``general``."""

    GENERAL = "general"
    WARNING_SIGNS = "warning_signs"
    SUPPORT_PEOPLE = "support_people"
    PROFESSIONALS = "professionals"
    LETHAL_MEANS = "lethal_means"
    CRISIS_PROTOCOL = "crisis_protocol"


class TemplateSection(Value):
    key: str
    title: str = Field(min_length=1, max_length=120)
    help_text: str = Field(default="", max_length=1000)
    kind: SectionKind
    required: bool = False
    max_items: int = Field(default=10, ge=1, le=100)
    max_length: int = Field(default=300, ge=1, le=10_000)
    purpose: SectionPurpose = SectionPurpose.GENERAL

    @model_validator(mode="before")
    @classmethod
    def _free_text_is_one_item(cls, data):
        if isinstance(data, dict) and data.get("kind") in (SectionKind.FREE_TEXT, "free_text"):
            data = {**data, "max_items": 1}
        return data

    @model_validator(mode="after")
    def _check(self) -> "TemplateSection":
        if not _KEY.match(self.key):
            raise ValueError(f"section key {self.key!r} must be lower_snake_case, 2-48 characters")
        return self


class PlanTemplate(Value):
    template_id: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=120)
    sections: tuple[TemplateSection, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> "PlanTemplate":
        keys = [s.key for s in self.sections]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"section keys must be unique; repeated: {', '.join(duplicates)}")
        tagged = [s.purpose for s in self.sections if s.purpose is not SectionPurpose.GENERAL]
        repeated = sorted({p.value for p in tagged if tagged.count(p) > 1})
        if repeated:
            raise ValueError(f"only one section may serve each purpose; repeated: {', '.join(repeated)}")
        return self

    def section(self, key: str) -> TemplateSection | None:
        return next((s for s in self.sections if s.key == key), None)

    def section_for(self, purpose: SectionPurpose) -> TemplateSection | None:
        return next((s for s in self.sections if s.purpose is purpose), None)


def _section(key: str, title: str, help_text: str, kind: SectionKind, **limits) -> TemplateSection:
    return TemplateSection(key=key, title=title, help_text=help_text, kind=kind, **limits)


DEFAULT_TEMPLATE = PlanTemplate(
    template_id="steadyline-default-1",
    name="Steadyline safety plan",
    sections=(
        _section(
            "warning_signs",
            "Signs that things are getting hard for me",
            "Thoughts, feelings, moods, situations or habits that tell you a rough patch may be "
            "starting. Write them the way you would notice them.",
            SectionKind.ITEMS,
            required=True,
            purpose=SectionPurpose.WARNING_SIGNS,
        ),
        _section(
            "coping_on_my_own",
            "What I can do by myself to get through it",
            "Small things that have helped before and that you can do without anyone else: "
            "moving, breathing, music, a shower, a walk, writing things down.",
            SectionKind.ITEMS,
            required=True,
        ),
        _section(
            "distraction_people_places",
            "People and places that help me think about something else",
            "People to be around, or places to go, where you feel a bit better, even if you "
            "don't talk about what's going on.",
            SectionKind.ITEMS,
        ),
        _section(
            "people_to_ask",
            "People I can ask for help",
            "People you trust to reach out to when you need support. Add a phone number or "
            "email so they can be reached quickly.",
            SectionKind.CONTACTS,
            max_items=8,
            max_length=120,
            purpose=SectionPurpose.SUPPORT_PEOPLE,
        ),
        _section(
            "professionals_and_services",
            "Professionals and services I can contact",
            "Your program's crisis line, the on-call clinician, the 988 Suicide & Crisis "
            "Lifeline, and the emergency department nearest to you.",
            SectionKind.CONTACTS,
            required=True,
            max_items=8,
            max_length=120,
            purpose=SectionPurpose.PROFESSIONALS,
        ),
        _section(
            "safer_surroundings",
            "Making my surroundings safer",
            "Things that could be used to hurt yourself and what you and the people around you "
            "will do about them (for example: who keeps them, where they are stored).",
            SectionKind.ITEMS,
            max_items=10,
            max_length=400,
            purpose=SectionPurpose.LETHAL_MEANS,
        ),
        _section(
            "what_matters",
            "What matters most to me",
            "The people, hopes, plans and reasons that are worth holding on for.",
            SectionKind.FREE_TEXT,
            max_length=2000,
        ),
        _section(
            "crisis_protocol",
            "What we agreed to do in a crisis",
            "Steps you, your family and your care team agreed on ahead of time, such as "
            "\"call my sister first\", \"stay in the room with me\" or \"if I say the code word, "
            "it means I can't talk freely\".",
            SectionKind.ITEMS,
            max_items=10,
            max_length=300,
            purpose=SectionPurpose.CRISIS_PROTOCOL,
        ),
    ),
)
"""Steadyline's default template. The wording is our own."""
