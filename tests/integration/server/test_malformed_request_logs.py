"""A malformed request carrying a bearer token or a responder path token leaves neither in the log:
aiohttp's own loggers go through the same masking as ours. The tokens are added to the suite's
secret scan, which reads the same DEBUG log at the end of the run."""

from __future__ import annotations

import asyncio
import logging
import secrets
import ssl
from urllib.parse import urlsplit

from tests.conftest import SUITE_LOG
from tests.support.world import SEEN_SECRETS


async def _raw_request(base_url: str, request: bytes) -> bytes:
    """Send bytes as they are (no client library would send them) and read the answer."""
    url = urlsplit(base_url)
    context = None
    if url.scheme == "https":  # only the bytes matter here, not who answers on this loopback port
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    reader, writer = await asyncio.open_connection(url.hostname, url.port, ssl=context)
    try:
        writer.write(request)
        await writer.drain()
        return await asyncio.wait_for(reader.read(4096), timeout=10)
    finally:
        writer.close()


def _log_since(offset: int) -> str:
    for handler in logging.getLogger().handlers:
        handler.flush()
    with SUITE_LOG.open(encoding="utf-8", errors="replace") as log:
        log.seek(offset)
        return log.read()


async def test_malformed_requests_leave_no_token_in_the_log(world):
    bearer = (await world.therapist()).access_token  # a real staff token (already in the suite's scan)
    path_token = secrets.token_urlsafe(32)  # shaped like a responder link token
    SEEN_SECRETS.update({bearer, path_token})
    host = urlsplit(world.base_url).netloc.encode()
    malformed = [
        b"GET /api/sessions Bearer " + bearer.encode() + b" HTTP/1.1\r\nHost: " + host + b"\r\n\r\n",
        b"GET /api/responder/" + path_token.encode() + b"\x01 HTTP/1.1\r\nHost: " + host + b"\r\n\r\n",
        b"GET /api/responder/" + path_token.encode() + b" HTTP/1.1 extra\r\nHost: " + host + b"\r\n\r\n",
        b"GET /api/sessions HTTP/1.1\r\nHost: " + host + b"\r\nAuthorization: Bearer " + bearer.encode()
        + b"\x01\r\n\r\n",
    ]
    offset = SUITE_LOG.stat().st_size
    answers = [await _raw_request(world.base_url, request) for request in malformed]
    assert all(answer.startswith(b"HTTP/1.") and b" 400 " in answer.split(b"\r\n", 1)[0] for answer in answers)
    log = _log_since(offset)
    assert log.count('"aiohttp.server"') >= len(malformed), log  # aiohttp did log each one
    assert "/api/responder/***" in log and "Bearer ***" in log, log
    assert bearer not in log and path_token not in log
