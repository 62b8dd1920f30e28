"""Safety plans: validated against a template, versioned, never edited in place.

Every change makes a new immutable :class:`PlanVersion` (number, author, time); the whole history
stays readable. Contacts get stable ids the first time they are saved, and keep them across
versions, so consent grants can refer to a person rather than to a row.

Input arrives as a *draft*: a mapping from section key to a list of strings (items), a list of
contact mappings (contacts) or a string (free text), as a form would send it. :func:`parse_draft`
checks all of it and reports every problem at once in :class:`~handoff.errors.PlanInvalid`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from pydantic import Field, model_validator

from .errors import PlanContactNotFound, PlanInvalid, PlanIssue, PlanVersionNotFound
from .plan_template import PlanTemplate, SectionKind, SectionPurpose, TemplateSection
from .values import EmailAddress, ServiceNumber, UtcDateTime, Value, new_id, normalise_email, normalise_phone

IdFactory = Callable[[str], str]


class Contact(Value):
    contact_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1)
    relationship: str = ""
    phone: ServiceNumber | None = None  # E.164, or a short service number such as 988
    email: EmailAddress | None = None

    @model_validator(mode="after")
    def _reachable(self) -> "Contact":
        if not self.phone and not self.email:
            raise ValueError("a contact needs a phone number or an email address")
        return self


class SectionEntry(Value):
    key: str
    kind: SectionKind
    items: tuple[str, ...] = ()
    contacts: tuple[Contact, ...] = ()
    text: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.items or self.contacts or self.text)


class PlanVersion(Value):
    plan_id: str
    number: int = Field(ge=1)
    template_id: str
    sections: tuple[SectionEntry, ...]
    author_id: str = Field(min_length=1)
    created_at: UtcDateTime
    change_note: str = Field(default="", max_length=500)

    def section(self, key: str) -> SectionEntry | None:
        return next((s for s in self.sections if s.key == key), None)

    def contacts(self) -> tuple[Contact, ...]:
        return tuple(c for s in self.sections for c in s.contacts)


class VersionSummary(Value):
    number: int
    author_id: str
    created_at: UtcDateTime
    change_note: str
    template_id: str


class SafetyPlan(Value):
    plan_id: str
    client_id: str
    versions: tuple[PlanVersion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _numbered(self) -> "SafetyPlan":
        numbers = [v.number for v in self.versions]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError("plan versions must be numbered 1, 2, 3... in order")
        if any(v.plan_id != self.plan_id for v in self.versions):
            raise ValueError("every version must belong to this plan")
        times = [v.created_at for v in self.versions]
        if times != sorted(times):
            raise ValueError("a plan version cannot be older than the one before it")
        return self

    @property
    def latest(self) -> PlanVersion:
        return self.versions[-1]

    def version(self, number: int) -> PlanVersion:
        if 1 <= number <= len(self.versions):
            return self.versions[number - 1]
        raise PlanVersionNotFound(details={"plan_id": self.plan_id, "number": number})

    def history(self) -> tuple[VersionSummary, ...]:
        return tuple(
            VersionSummary(
                number=v.number,
                author_id=v.author_id,
                created_at=v.created_at,
                change_note=v.change_note,
                template_id=v.template_id,
            )
            for v in self.versions
        )

    def contact(self, contact_id: str) -> Contact:
        """The contact as it stands in the latest version (consent refers to current people)."""
        for contact in self.latest.contacts():
            if contact.contact_id == contact_id:
                return contact
        raise PlanContactNotFound(details={"contact_id": contact_id})

    def entries_for(self, template: PlanTemplate, purpose: SectionPurpose) -> SectionEntry | None:
        section = template.section_for(purpose)
        return self.latest.section(section.key) if section else None

    def lethal_means_notes(self, template: PlanTemplate) -> tuple[str, ...]:
        entry = self.entries_for(template, SectionPurpose.LETHAL_MEANS)
        if entry is None:
            return ()
        return entry.items or ((entry.text,) if entry.text else ())


# --- parsing and validation -------------------------------------------------------------------


def _issue(section: str, problem: str, message: str, **where: Any) -> PlanIssue:
    return PlanIssue(section=section, problem=problem, message=message, **where)


def _clean_items(raw: list[Any]) -> list[Any]:
    return [x for x in raw if not (isinstance(x, str) and not x.strip())]


def _parse_items(section: TemplateSection, raw: Any, issues: list[PlanIssue]) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        issues.append(_issue(section.key, "wrong_kind", f"“{section.title}” should be a list of short texts."))
        return ()
    items = tuple(x.strip() for x in _clean_items(raw))
    for index, item in enumerate(items):
        if len(item) > section.max_length:
            issues.append(_issue(
                section.key, "too_long",
                f"Item {index + 1} of “{section.title}” is {len(item)} characters; "
                f"the limit is {section.max_length}.", item=index,
            ))
    return items


def _parse_text(section: TemplateSection, raw: Any, issues: list[PlanIssue]) -> str:
    if not isinstance(raw, str):
        issues.append(_issue(section.key, "wrong_kind", f"“{section.title}” should be text."))
        return ""
    text = raw.strip()
    if len(text) > section.max_length:
        issues.append(_issue(
            section.key, "too_long",
            f"“{section.title}” is {len(text)} characters; the limit is {section.max_length}.",
        ))
    return text


_CONTACT_FIELDS = ("contact_id", "name", "relationship", "phone", "email")


def _contact_field(raw: Mapping[str, Any], name: str) -> str:
    value = raw.get(name)
    return value.strip() if isinstance(value, str) else ""


def _parse_contact(
    section: TemplateSection, index: int, raw: Any, known_ids: set[str], make_id: IdFactory,
    issues: list[PlanIssue],
) -> Contact | None:
    where = f"Contact {index + 1} in “{section.title}”"
    if not isinstance(raw, Mapping):
        issues.append(_issue(section.key, "wrong_kind", f"{where} is not a contact.", item=index))
        return None
    unknown = sorted(set(raw) - set(_CONTACT_FIELDS))
    if unknown:
        issues.append(_issue(section.key, "unknown_field", f"{where} has unexpected fields: {', '.join(unknown)}.", item=index))
    before = len(issues)
    name, phone, email = (_contact_field(raw, f) for f in ("name", "phone", "email"))
    relationship = _contact_field(raw, "relationship")
    if not name:
        issues.append(_issue(section.key, "missing_name", f"{where} needs a name.", item=index, field="name"))
    for field, value in (("name", name), ("relationship", relationship), ("phone", phone), ("email", email)):
        if len(value) > section.max_length:
            issues.append(_issue(section.key, "too_long", f"{where}: {field} is longer than {section.max_length} characters.", item=index, field=field))
    if phone:
        try:
            phone = normalise_phone(phone, allow_short_code=True)
        except ValueError:
            issues.append(_issue(section.key, "invalid_phone", f"{where}: the phone number should look like +1 555 0100 (country code first), or a service number such as 988.", item=index, field="phone"))
    if email:
        try:
            email = normalise_email(email)
        except ValueError:
            issues.append(_issue(section.key, "invalid_email", f"{where}: the email address should look like name@example.org.", item=index, field="email"))
    if not phone and not email:
        issues.append(_issue(section.key, "unreachable", f"{where} needs a phone number or an email address.", item=index))
    contact_id = _contact_field(raw, "contact_id")
    if contact_id and contact_id not in known_ids:
        issues.append(_issue(section.key, "unknown_contact", f"{where} refers to a contact this plan never had.", item=index, field="contact_id"))
    if len(issues) > before:
        return None
    return Contact(
        contact_id=contact_id or make_id("contact"), name=name, relationship=relationship,
        phone=phone or None, email=email or None,
    )


def _parse_contacts(
    section: TemplateSection, raw: Any, known_ids: set[str], make_id: IdFactory, issues: list[PlanIssue],
) -> tuple[tuple[Contact, ...], int]:
    """The valid contacts and how many rows were given (blank rows are ignored)."""
    if not isinstance(raw, list):
        issues.append(_issue(section.key, "wrong_kind", f"“{section.title}” should be a list of contacts."))
        return (), 0
    rows = [r for r in raw if not (isinstance(r, Mapping) and not any(_contact_field(r, f) for f in _CONTACT_FIELDS))]
    parsed = [_parse_contact(section, i, r, known_ids, make_id, issues) for i, r in enumerate(rows)]
    contacts = tuple(c for c in parsed if c is not None)
    ids = [c.contact_id for c in contacts]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        issues.append(_issue(section.key, "duplicate_contact", f"A contact appears twice in “{section.title}”.", field="contact_id"))
    return contacts, len(rows)


def _parse_section(
    section: TemplateSection, raw: Any, known_ids: set[str], make_id: IdFactory, issues: list[PlanIssue],
) -> SectionEntry:
    if section.kind is SectionKind.ITEMS:
        entry = SectionEntry(key=section.key, kind=section.kind, items=_parse_items(section, raw, issues))
        count = len(entry.items)
    elif section.kind is SectionKind.CONTACTS:
        contacts, count = _parse_contacts(section, raw, known_ids, make_id, issues)
        entry = SectionEntry(key=section.key, kind=section.kind, contacts=contacts)
    else:
        entry = SectionEntry(key=section.key, kind=section.kind, text=_parse_text(section, raw, issues))
        count = 1 if entry.text else 0
    if count > section.max_items:
        issues.append(_issue(section.key, "too_many_items", f"“{section.title}” has {count} entries; the limit is {section.max_items}."))
    return entry


def _empty_value(section: TemplateSection) -> Any:
    return "" if section.kind is SectionKind.FREE_TEXT else []


def parse_draft(
    template: PlanTemplate,
    draft: Mapping[str, Any],
    *,
    known_contact_ids: set[str] = frozenset(),  # type: ignore[assignment]
    make_id: IdFactory = new_id,
) -> tuple[SectionEntry, ...]:
    """Validate a draft against ``template``; return its sections in template order or raise
    :class:`PlanInvalid` listing every problem. Contacts without an id get a new one."""
    issues: list[PlanIssue] = []
    for key in sorted(set(draft) - {s.key for s in template.sections}):
        issues.append(_issue(key, "unknown_section", f"“{key}” is not a section of this plan."))
    entries = []
    for section in template.sections:
        entry = _parse_section(section, draft.get(section.key, _empty_value(section)), set(known_contact_ids), make_id, issues)
        if section.required and entry.is_empty:
            issues.append(_issue(section.key, "required", f"Please fill in “{section.title}”."))
        entries.append(entry)
    if issues:
        raise PlanInvalid(issues)
    return tuple(entries)


def create_plan(
    template: PlanTemplate, client_id: str, draft: Mapping[str, Any], *, author_id: str, at: datetime,
    plan_id: str | None = None, change_note: str = "", make_id: IdFactory = new_id,
) -> SafetyPlan:
    """Start a plan: version 1, validated against ``template``."""
    sections = parse_draft(template, draft, make_id=make_id)
    plan_id = plan_id or make_id("plan")
    first = PlanVersion(
        plan_id=plan_id, number=1, template_id=template.template_id, sections=sections,
        author_id=author_id, created_at=at, change_note=change_note,
    )
    return SafetyPlan(plan_id=plan_id, client_id=client_id, versions=(first,))


def revise_plan(
    plan: SafetyPlan, template: PlanTemplate, draft: Mapping[str, Any], *, author_id: str, at: datetime,
    change_note: str = "", make_id: IdFactory = new_id,
) -> SafetyPlan:
    """Return ``plan`` with one more version; the earlier versions are untouched. Contacts keep
    their ids when the draft carries them; any id the plan ever had may be reused (a person
    removed and added back keeps their consent records)."""
    known = {c.contact_id for v in plan.versions for c in v.contacts()}
    sections = parse_draft(template, draft, known_contact_ids=known, make_id=make_id)
    nxt = PlanVersion(
        plan_id=plan.plan_id, number=plan.latest.number + 1, template_id=template.template_id,
        sections=sections, author_id=author_id, created_at=at, change_note=change_note,
    )
    return SafetyPlan(plan_id=plan.plan_id, client_id=plan.client_id, versions=plan.versions + (nxt,))


def draft_from_version(version: PlanVersion) -> dict[str, Any]:
    """The draft that would reproduce ``version`` (what an editing form starts from)."""
    draft: dict[str, Any] = {}
    for entry in version.sections:
        if entry.kind is SectionKind.ITEMS:
            draft[entry.key] = list(entry.items)
        elif entry.kind is SectionKind.CONTACTS:
            draft[entry.key] = [c.model_dump(exclude_none=True) for c in entry.contacts]
        else:
            draft[entry.key] = entry.text
    return draft
