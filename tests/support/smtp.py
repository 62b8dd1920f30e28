"""A real SMTP server (aiosmtpd) on a loopback port that keeps what it receives, and a poll helper."""

from __future__ import annotations

import asyncio
import contextlib
import email
import logging
import re
import socket
import time
from email import policy

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []  # (MAIL FROM, RCPT TO) of each message
        self.port = 0

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    @staticmethod
    def page_link(message: email.message.EmailMessage) -> str:
        """The single-use link of an on-call page (``/console#page=<token>``), as ``#<token>``: what
        ``World.redeem`` and ``POST /api/join`` take."""
        found = re.search(r"http\S+/console#page=([A-Za-z0-9_-]+)", Inbox.text(message))
        assert found, "no page link in the message"
        return "#" + found.group(1)

    @staticmethod
    def text(message: email.message.EmailMessage) -> str:
        return message.get_body(preferencelist=("plain",)).get_content()


@contextlib.contextmanager
def smtp_inbox():
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd would log message data at DEBUG
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port
    try:
        yield box
    finally:
        controller.stop()


async def eventually(check, timeout: float = 10.0, interval: float = 0.05):
    """Await ``check()`` until it returns something truthy; return that, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)
