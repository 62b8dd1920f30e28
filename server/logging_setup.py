"""Structured logs (structlog): JSON lines with request and room ids, never tokens or health data.

Values of keys that can carry secrets are masked by a processor, as a second line of defence. Records
of the standard library's loggers (aiohttp's ``aiohttp.server`` and ``aiohttp.access``, engine.io, aiortc,
…) go through the same processors, and the free text of every record (message and traceback) is
scrubbed of anything shaped like a credential: aiohttp writes a malformed request line verbatim, bearer
token or responder path token included."""

from __future__ import annotations

import logging
import re
import sys
from typing import TextIO

import structlog

SENSITIVE_KEYS = frozenset({
    "token", "password", "secret", "authorization", "cookie", "sdp", "candidate", "display_name",
    "email", "name", "phone", "address", "location", "key",
})
# Free-text fields of a record (the message, a rendered traceback): scrubbed, not dropped.
TEXT_KEYS = ("event", "exception", "stack")
MASK = "***"

_CREDENTIAL_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # An Authorization header's scheme and whatever follows it on the line.
    (re.compile(r"(?i)(bearer|basic)(?:\s|\\x[0-9a-f]{2}|%20)+[^\s'\"]+"), r"\1 " + MASK),
    # JWTs (header.payload.signature, base64url), whole or cut short.
    (re.compile(r"eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){0,2}"), MASK),
    # Path and query tokens: /api/responder/<token>, ?token=…
    (re.compile(r"(/responder/|[?&#;](?:access_|participant_)?token=)[^\s/?&#'\"]+"), r"\1" + MASK),
)
# Random tokens and keys: long base64url runs mixing digits, upper and lower case (unlike ids, hex
# digests, UUIDs and identifiers).
_RANDOM_RUN = re.compile(r"[A-Za-z0-9_-]{32,}")


def _random_looking(match: re.Match[str]) -> str:
    run = match.group(0)
    mixed = any(c.isdigit() for c in run) and any(c.isupper() for c in run) and any(c.islower() for c in run)
    return MASK if mixed else run


def scrub_credentials(text: str) -> str:
    """``text`` with every credential-shaped part replaced by ``***``."""
    for pattern, replacement in _CREDENTIAL_PATTERNS:
        text = pattern.sub(replacement, text)
    return _RANDOM_RUN.sub(_random_looking, text)


def _mask_sensitive(_: object, __: str, event: dict) -> dict:
    for key in list(event):
        if key.lower() in SENSITIVE_KEYS:
            event[key] = MASK
    return event


def _scrub_text(_: object, __: str, event: dict) -> dict:
    for key in TEXT_KEYS:
        if isinstance(event.get(key), str):
            event[key] = scrub_credentials(event[key])
    return event


def _processors(renderer) -> list:
    """After the record's own fields are set: mask by key, render tracebacks, scrub the text, render."""
    return [_mask_sensitive, structlog.processors.format_exc_info, _scrub_text, renderer]


def configure_logging(level: str, json_logs: bool, stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    renderer = structlog.processors.JSONRenderer() if json_logs else structlog.dev.ConsoleRenderer(colors=False)
    timestamper = structlog.processors.TimeStamper(fmt="iso", utc=True)
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, structlog.processors.add_log_level, timestamper,
                    *_processors(renderer)],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level)),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, structlog.processors.add_log_level, timestamper],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *_processors(renderer)],
    ))
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
        old.close()
    root.addHandler(handler)
    root.setLevel(getattr(logging, level))
    for noisy in ("aiortc", "aioice", "aiohttp.access", "engineio", "socketio", "procrastinate"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, getattr(logging, level)))
