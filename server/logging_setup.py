"""Structured logs (structlog): JSON lines with request and room ids, never tokens or health data.

Values of keys that can carry secrets are masked by a processor, as a second line of defence."""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog

SENSITIVE_KEYS = frozenset({
    "token", "password", "secret", "authorization", "cookie", "sdp", "candidate", "display_name",
    "email", "name", "phone", "address", "location", "key",
})


def _mask_sensitive(_: object, __: str, event: dict) -> dict:
    for key in list(event):
        if key.lower() in SENSITIVE_KEYS:
            event[key] = "***"
    return event


def configure_logging(level: str, json_logs: bool, stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    renderer = structlog.processors.JSONRenderer() if json_logs else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _mask_sensitive,
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level)),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=getattr(logging, level), stream=stream, format="%(levelname)s %(name)s %(message)s",
                        force=True)
    for noisy in ("aiortc", "aioice", "aiohttp.access", "engineio", "socketio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, getattr(logging, level)))
