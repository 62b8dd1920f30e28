"""Hypothesis strategies and response checks shared by the fuzz tests.

Nothing here knows the expected *answer* to a request: the fuzz tests only check that the server
stays well-behaved (no 5xx, problem JSON for errors, no stack traces, acks on every socket event)."""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from pydantic import BaseModel

FUZZ = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
            database=None)


# ``STEADYLINE_FUZZ_SCALE=10`` runs ten times the examples (a deeper, slower, nightly-style run).
SCALE = float(os.environ.get("STEADYLINE_FUZZ_SCALE", "1"))


def fuzz_settings(max_examples: int, **extra):
    return settings(max_examples=max(1, int(max_examples * SCALE)), **{**FUZZ, **extra})


# --- text and JSON values -------------------------------------------------------------------

# Any code point, lone surrogates included (they survive ``json.dumps`` as ``\udXXX`` escapes).
any_char = st.characters(codec=None, exclude_categories=())
wild_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=any_char, max_size=40),
    st.sampled_from([
        "", " ", "\x00", "\u202e", "\ud800", "\udfff", "💥" * 3, "null", "true", "0", "-1", "1e999", "NaN",
        "../../etc/passwd", "%00", "%2F", "' OR 1=1 --", "<script>", "\r\nX-Injected: 1", "a" * 300,
    ]),
)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False), wild_text,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(wild_text, inner, max_size=4)),
    max_leaves=12,
)

OFFSETS = st.sampled_from([None, timezone.utc, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12)),
                           timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-1))])


EDGY_DATETIMES = st.one_of(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
    st.sampled_from([datetime(1, 1, 1), datetime(1, 1, 1, 3), datetime(9999, 12, 31, 23, 59, 59),
                     datetime(9999, 12, 31, 12), datetime(2026, 1, 1, 10)]),
)


@st.composite
def datetimes_as_text(draw) -> str | object:
    """ISO datetimes (aware and naive, from year 1 to 9999), timestamps and junk."""
    kind = draw(st.sampled_from(["iso", "iso", "iso", "timestamp", "junk"]))
    if kind == "timestamp":
        return draw(st.one_of(st.integers(), st.floats(allow_nan=False)))
    if kind == "junk":
        return draw(json_values)
    moment = draw(EDGY_DATETIMES)
    tz = draw(OFFSETS)
    return moment.replace(tzinfo=tz).isoformat() if tz else moment.isoformat()


@st.composite
def session_times(draw) -> dict:
    """A start and an end, usually close enough together to pass the model's own rules."""
    start = draw(EDGY_DATETIMES)
    tz = draw(OFFSETS)
    length = draw(st.sampled_from([timedelta(minutes=50), timedelta(hours=12), timedelta(hours=13), timedelta(0)]))
    try:
        end = start + length
    except OverflowError:
        end = start
    fmt = (lambda d: d.replace(tzinfo=tz).isoformat()) if tz else (lambda d: d.isoformat())
    return {"starts_at": fmt(start), "ends_at": fmt(end)}


FIELD_VALUES: dict[str, st.SearchStrategy] = {
    "kind": st.one_of(st.sampled_from(["individual", "group", "INDIVIDUAL", ""]), json_values),
    "email": st.one_of(st.emails().map(str), wild_text, json_values),
    "password": st.one_of(wild_text, st.text(min_size=1000, max_size=1100), json_values),
    "token": st.one_of(st.text(min_size=16, max_size=260), wild_text, json_values),
    "display_name": st.one_of(wild_text, st.text(min_size=100, max_size=140), json_values),
    "title": st.one_of(wild_text, st.text(min_size=190, max_size=210), json_values),
    "starts_at": datetimes_as_text(),
    "ends_at": datetimes_as_text(),
    "client_id": st.one_of(st.none(), wild_text, json_values),
}


@st.composite
def model_shaped(draw, model: type[BaseModel], known: dict[str, st.SearchStrategy] | None = None) -> dict:
    """A dict with (some of) the model's fields, plausible or wrongly typed values, maybe an extra key."""
    known = {**FIELD_VALUES, **(known or {})}
    body: dict = {}
    for name in model.model_fields:
        if draw(st.integers(0, 9)) == 0:
            continue  # a missing field
        body[name] = draw(known.get(name, json_values))
    if "starts_at" in body and draw(st.booleans()):
        body.update(draw(session_times()))
    if draw(st.integers(0, 6)) == 0:
        body[draw(wild_text)] = draw(json_values)
    return body


# --- raw request bodies -----------------------------------------------------------------------

def _encode(value: object, ascii_only: bool) -> bytes:
    return json.dumps(value, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


@st.composite
def raw_bodies(draw, model: type[BaseModel] | None) -> bytes | None:
    """Bytes to send as a request body: JSON of the right shape or any shape, and things that are not JSON."""
    kinds = ["json", "bytes", "text", "nested", "bigint", "huge", "empty", "none"]
    if model is not None:
        kinds += ["model"] * 5
    kind = draw(st.sampled_from(kinds))
    if kind == "model":
        return _encode(draw(model_shaped(model)), draw(st.booleans()))
    if kind == "json":
        return _encode(draw(json_values), draw(st.booleans()))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "text":
        return draw(st.text(alphabet=any_char, max_size=200)).encode("utf-8", "surrogatepass")
    if kind == "nested":
        # Not near the decoder's recursion limit (~1000 minus the stack in use), where it fails by chance.
        depth = draw(st.one_of(st.integers(1, 500), st.sampled_from([3000, 5000, 60_000])))
        opener, closer = draw(st.sampled_from([("[", "]"), ('{"a":', "}")]))
        return (opener * depth + "1" + closer * depth).encode()
    if kind == "bigint":
        digits = draw(st.one_of(st.integers(1, 6000), st.sampled_from([4300, 4301, 10_000])))
        field = draw(st.sampled_from(sorted(model.model_fields) if model and model.model_fields else ["x"]))
        return f'{{"{field}": {"9" * digits}}}'.encode()
    if kind == "huge":
        size = draw(st.sampled_from([70_000, 256 * 1024 - 64, 256 * 1024 + 1, 1_100_000]))
        field = draw(st.sampled_from(sorted(model.model_fields) if model and model.model_fields else ["x"]))
        return json.dumps({field: "x" * size}).encode()
    if kind == "empty":
        return b""
    return None


content_types = st.sampled_from([
    None, "application/json", "application/json; charset=utf-8", "application/json; charset=latin-1",
    "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=xyz",
    "application/octet-stream", "application/problem+json", "garbage/\u00e9",
])


# --- response checks -------------------------------------------------------------------------

LEAKS = ("Traceback", 'File "', "sqlalchemy", "aiosqlite", "pydantic_core")


def assert_problem_or_json(status: int, content_type: str, raw: bytes, context: object) -> object:
    """No 5xx; errors are problem JSON with a ``code``; nothing looks like a stack trace."""
    text = raw.decode("utf-8", "replace")
    mimetype = content_type.split(";", 1)[0].strip().lower()
    for leak in LEAKS:
        assert leak not in text, (context, status, text[:2000])
    assert status < 500, (context, status, text[:2000])
    if status >= 400:
        assert mimetype == "application/problem+json", (context, status, content_type, text[:500])
        body = json.loads(text)
        assert isinstance(body, dict) and isinstance(body.get("code"), str) and body["code"], (context, body)
        assert body.get("status") == status, (context, body)
        return body
    return json.loads(text) if mimetype.endswith("json") else text
