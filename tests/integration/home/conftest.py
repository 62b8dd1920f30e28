"""The home tests' mailbox: a real SMTP server that pages, invitations and reminders are sent to."""

from __future__ import annotations

import pytest

from tests.support.smtp import smtp_inbox


@pytest.fixture
def inbox():
    with smtp_inbox() as box:
        yield box
