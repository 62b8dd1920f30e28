"""The client's send, fuzzed with their real page token (the shared REST fuzzers hold no home token): any
text — control characters, lone surrogates, right-to-left marks, 4000+ characters — and any urgent value is
kept as the rules say or refused with a clear 422 / 429, never a 5xx; what is kept reads back as sent."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.integration.fuzz.strategies import any_char, assert_problem_or_json, fuzz_settings
from tests.integration.messaging.helpers import enrolled

from server.messaging.rules import MAX_LENGTH, clean_text

texts = st.one_of(st.text(max_size=60), st.text(alphabet=any_char, max_size=60),
                  st.text(alphabet=any_char, min_size=MAX_LENGTH - 2, max_size=MAX_LENGTH + 3),
                  st.sampled_from(["", " ", "\u200f\u202e", "\x00", "\r\n\r\n", "ok\u0085"]))
urgent_values = st.one_of(st.booleans(), st.none(), st.integers(), st.text(max_size=5))


@pytest.fixture
async def team(world):
    return await enrolled(world)


@fuzz_settings(max_examples=40)
@given(text=texts, urgent=urgent_values)
async def test_any_message_is_kept_as_the_rules_say_or_refused_clearly(world, team, text, urgent):
    raw = json.dumps({"text": text, "urgent": urgent}).encode()
    headers = {"Authorization": f"Bearer {team.home}", "Content-Type": "application/json"}
    async with world.http.post(world.base_url + "/api/home/messages", data=raw, headers=headers) as response:
        status, content_type, body = response.status, response.headers.get("Content-Type", ""), await response.read()
    answer = assert_problem_or_json(status, content_type, body, (text[:80], urgent))
    assert status in (201, 422, 429), (status, answer)
    if status == 201:
        assert answer["message"]["text"] == clean_text(text.strip())
        assert 0 < len(answer["message"]["text"]) <= MAX_LENGTH
