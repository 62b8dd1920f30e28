import logging

import aioice.ice
import pytest

from .harness import Group

QUIET = ("aiortc", "aioice", "media")


@pytest.fixture(autouse=True)
def quiet_media_loggers():
    """aiortc logs every RTP packet at DEBUG; with a dozen peers that alone
    saturates the event loop, so keep these loggers at INFO here."""
    saved = {name: logging.getLogger(name).level for name in QUIET}
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.INFO)
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


@pytest.fixture(autouse=True)
def patient_consent(monkeypatch):
    """Both ends of two dozen peer connections share this process's one event loop. When a loaded
    machine makes the loop lag more than 0.5 s, aioice's consent checks (RFC 7675: one STUN request
    every ~5 s, given up after 0.5 s) fail on every connection at once and, after six in a row,
    close them all. A separate real client would answer in time; here the lag is the test's own,
    so allow a minute of it. Test-only tuning, like the receive buffers."""
    monkeypatch.setattr(aioice.ice, "CONSENT_FAILURES", 12)


@pytest.fixture
async def group():
    group = Group()
    try:
        yield group
    finally:
        await group.close()
