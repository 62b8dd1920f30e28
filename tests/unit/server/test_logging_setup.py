"""The text scrubber behind every log record: credentials go, ids stay."""

from __future__ import annotations

import io
import json
import logging
import secrets
import uuid

import pytest

from server.logging_setup import configure_logging, scrub_credentials

TOKEN = secrets.token_urlsafe(32)
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlX2J5dGVzX2hlcmU"


@pytest.mark.parametrize("text", [
    f"b'GET /api/sessions Bearer {JWT} HTTP/1.1'",
    f"b'GET /x\\x01Bearer {TOKEN} HTTP/1.1'",
    f"b'GET /api/responder/{TOKEN}/pidf HTTP/1.1'",
    f"GET /join?token={TOKEN}",
    f"Authorization: bearer%20{TOKEN}",
    f"a cut-short token {JWT[:30]}",
    f"a bare random token {TOKEN} in a sentence",
])
def test_credentials_are_scrubbed(text):
    scrubbed = scrub_credentials(text)
    assert TOKEN not in scrubbed and JWT[:20] not in scrubbed and "***" in scrubbed


def test_ids_digests_and_identifiers_stay():
    text = (f"session {uuid.uuid4()} record {'ab12' * 16} in "
            "test_a_record_moved_to_another_session_is_not_in_that_sessions_export at /work/site-packages/x.py")
    assert scrub_credentials(text) == text


def test_stdlib_records_go_through_the_same_masking(request):
    stream = io.StringIO()
    configure_logging("DEBUG", json_logs=True, stream=stream)
    try:
        try:
            raise ValueError(f"bad line b'GET /api/sessions Bearer {JWT} HTTP/1.1'")
        except ValueError:
            logging.getLogger("aiohttp.server").exception("Error handling request token=%s", TOKEN)
    finally:
        suite_log = getattr(request.config, "_steadyline_log", None)
        configure_logging("DEBUG", json_logs=True, stream=suite_log)
    record = json.loads(stream.getvalue().splitlines()[-1])
    assert record["logger"] == "aiohttp.server" and record["level"] == "error"
    assert TOKEN not in stream.getvalue() and JWT[:20] not in stream.getvalue()
    assert "Bearer ***" in record["exception"]


def test_structlog_fields_that_can_carry_secrets_are_masked(request):
    import structlog

    stream = io.StringIO()
    configure_logging("DEBUG", json_logs=True, stream=stream)
    try:
        structlog.get_logger("t").info("signed_in", token=TOKEN, display_name="Quillon", password="pw-123456",
                                        session_id="s-1")
    finally:
        configure_logging("DEBUG", json_logs=True, stream=getattr(request.config, "_steadyline_log", None))
    record = json.loads(stream.getvalue().splitlines()[-1])
    assert record["token"] == record["display_name"] == record["password"] == "***"
    assert record["session_id"] == "s-1"
