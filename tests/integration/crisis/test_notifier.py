"""The notifier never fails the request that asked for it: unset channels are skipped, and a mail
server that is not there or a webhook that refuses are reported as ``failed``."""

from __future__ import annotations

import socket
from datetime import timedelta

from aiohttp import web

from server.db.tables import utcnow
from server.notify.notifier import Notifier, SupportInvitation
from tests.conftest import make_settings


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


INVITATION = SupportInvitation(crisis_id="crisis_1", participant_id="p1", join_url="http://127.0.0.1/join#x",
                               expires_at=utcnow() + timedelta(minutes=10), email="alex@example.org",
                               phone="+15550100102")


async def test_unset_channels_are_skipped(sqlite_url):
    outcomes = await Notifier(make_settings(sqlite_url)).invite_support_person(INVITATION, utcnow())
    assert {k: v.value for k, v in outcomes.items()} == {"email": "skipped", "webhook": "skipped"}


async def test_unreachable_mail_server_and_refusing_webhook_are_failures(sqlite_url, aiohttp_server):
    async def refuse(request: web.Request) -> web.Response:
        return web.Response(status=503)

    app = web.Application()
    app.router.add_post("/hook", refuse)
    server = await aiohttp_server(app)
    settings = make_settings(sqlite_url, smtp_host="127.0.0.1", smtp_port=_closed_port(),
                             notify_webhook_url=str(server.make_url("/hook")))
    outcomes = await Notifier(settings).invite_support_person(INVITATION, utcnow())
    assert {k: v.value for k, v in outcomes.items()} == {"email": "failed", "webhook": "failed"}
