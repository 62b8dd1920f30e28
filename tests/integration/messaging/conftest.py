"""The messaging tests' mailbox: a real SMTP server that notices and pages are sent to."""

from __future__ import annotations

import pytest

from tests.support.smtp import smtp_inbox


@pytest.fixture
def inbox():
    with smtp_inbox() as box:
        yield box
