"""A synthetic, valid draft for the default template (fake names and 555-01xx numbers)."""

from __future__ import annotations

import copy
import itertools
from typing import Any


def valid_draft() -> dict[str, Any]:
    return copy.deepcopy({
        "warning_signs": ["I stop answering messages", "I can't sleep for two nights"],
        "coping_on_my_own": ["Walk around the block", "Cold water on my face"],
        "distraction_people_places": ["The library on Example Street"],
        "people_to_ask": [
            {"name": "Sam Example", "relationship": "sister", "phone": "+1 555 0100 101", "email": "Sam@Example.ORG"},
            {"name": "Alex Sample", "relationship": "friend", "phone": "+1-555-0100-102"},
        ],
        "professionals_and_services": [
            {"name": "Program crisis line", "relationship": "program", "phone": "+1 555 0100 110"},
            {"name": "988 Suicide & Crisis Lifeline", "phone": "988"},
        ],
        "safer_surroundings": ["Sam keeps the spare medication at her place"],
        "what_matters": "My dog and finishing my course.",
        "crisis_protocol": ["Call my sister first", "Stay in the room with me", "Code word 'blue kettle' means I can't talk"],
    })


def counter_ids():
    numbers = itertools.count(1)
    return lambda prefix: f"{prefix}_{next(numbers)}"
