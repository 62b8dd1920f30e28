from __future__ import annotations

import pytest
from pydantic import ValidationError

from handoff.plan_template import (
    DEFAULT_TEMPLATE, PlanTemplate, SectionKind, SectionPurpose, TemplateSection,
)


def test_default_template_has_the_agreed_sections_in_order():
    assert [s.key for s in DEFAULT_TEMPLATE.sections] == [
        "warning_signs", "coping_on_my_own", "distraction_people_places", "people_to_ask",
        "professionals_and_services", "safer_surroundings", "what_matters", "crisis_protocol",
    ]
    assert DEFAULT_TEMPLATE.section("people_to_ask").kind is SectionKind.CONTACTS
    assert DEFAULT_TEMPLATE.section("what_matters").kind is SectionKind.FREE_TEXT
    assert DEFAULT_TEMPLATE.section_for(SectionPurpose.LETHAL_MEANS).key == "safer_surroundings"
    assert DEFAULT_TEMPLATE.section_for(SectionPurpose.CRISIS_PROTOCOL).key == "crisis_protocol"


def test_default_template_mentions_the_services_a_client_needs():
    help_text = DEFAULT_TEMPLATE.section("professionals_and_services").help_text
    for needed in ("crisis line", "on-call clinician", "988", "emergency department"):
        assert needed in help_text


def test_default_template_does_not_reuse_published_instrument_wording():
    # Stanley-Brown's step titles, which must not appear verbatim in our template.
    text = " ".join(f"{s.title} {s.help_text}" for s in DEFAULT_TEMPLATE.sections).lower()
    for phrase in ("internal coping strategies", "people and social settings that provide distraction",
                   "making the environment safe", "the one thing that is most important to me"):
        assert phrase not in text


def test_free_text_sections_hold_one_item():
    section = TemplateSection(key="notes", title="Notes", kind="free_text", max_items=7)
    assert section.max_items == 1


@pytest.mark.parametrize("key", ["Bad Key", "x", "1abc", "a-b"])
def test_section_keys_are_snake_case(key):
    with pytest.raises(ValidationError, match="lower_snake_case"):
        TemplateSection(key=key, title="T", kind="items")


def test_template_rejects_duplicate_keys_and_purposes():
    a = TemplateSection(key="means", title="A", kind="items", purpose="lethal_means")
    b = TemplateSection(key="means", title="B", kind="items")
    with pytest.raises(ValidationError, match="repeated: means"):
        PlanTemplate(template_id="t", name="T", sections=(a, b))
    c = TemplateSection(key="other_means", title="C", kind="items", purpose="lethal_means")
    with pytest.raises(ValidationError, match="lethal_means"):
        PlanTemplate(template_id="t", name="T", sections=(a, c))


def test_templates_are_immutable():
    with pytest.raises(ValidationError):
        DEFAULT_TEMPLATE.name = "changed"
