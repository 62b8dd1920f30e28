"""Phone numbers as people read them: formatted for the program's country (``STEADYLINE_PHONE_REGION``)
with the ``phonenumbers`` library. A number of the program's own country is written as people there
write it (``(555) 555-0142`` in the US); one of another country in international form
(``+44 20 7946 0958``); a short service number (988, 911) as it is. Anything that cannot be read as a
number is shown as it was given, never dropped. Only for display: stored numbers stay in E.164."""

from __future__ import annotations

import phonenumbers

SHORT_CODE_MAX = 6


def display_phone(number: str | None, region: str = "US") -> str | None:
    if not number:
        return number
    text = number.strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    if not text.startswith("+") and len(digits) <= SHORT_CODE_MAX:
        return text  # a short service number such as 988
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return text
    if not phonenumbers.is_possible_number(parsed):
        return text
    home = phonenumbers.country_code_for_region(region)
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if parsed.country_code == home
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(parsed, style)


def editable_phone(number: str | None) -> str | None:
    """A stored number spaced for reading in a form field, in international form so that it saves back
    unchanged (``+1 555-010-0101``; the plan's validation strips the spaces and dashes again)."""
    if not number or not number.startswith("+"):
        return number
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
