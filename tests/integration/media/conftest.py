import logging

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


@pytest.fixture
async def group():
    group = Group()
    try:
        yield group
    finally:
        await group.close()
