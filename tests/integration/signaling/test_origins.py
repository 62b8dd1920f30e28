"""Which pages may open the signalling socket, over TLS in the process and behind a TLS proxy.

A browser sends its page's origin with every WebSocket handshake; these clients send the header a
browser would. (The browser side is tests/browser/test_connection_problems.py.)"""

from __future__ import annotations

import pytest
import socketio

from tests.conftest import make_settings


async def _connects(world, token: str, origin: str | None, **headers) -> bool:
    sock = world.socket_client({**({"Origin": origin} if origin else {}), **headers})
    try:
        await sock.connect(token)
    except socketio.exceptions.ConnectionError:
        return False
    await sock.disconnect()
    return True


async def _token(world) -> str:
    therapist = await world.therapist()
    session = await world.session(therapist)
    return await world.host_token(therapist, session["id"])


async def test_only_the_public_urls_origin_may_open_the_socket(world):
    token = await _token(world)
    public = world.settings.public_url
    assert public.startswith("https://localhost:")  # TLS in the process, as `make run` serves it
    assert await _connects(world, token, public)
    assert await _connects(world, token, None)  # not a browser: judged by its token alone
    for foreign in ("https://evil.example", public.replace("https://", "http://"), "null"):
        assert not await _connects(world, token, foreign), foreign


class TestBehindATlsProxy:
    @pytest.fixture
    def settings(self, sqlite_url):
        # TLS ends at a trusted proxy that forwards plain HTTP to this process.
        return make_settings(sqlite_url, tls_cert=None, tls_key=None, public_url="https://care.steadyline.invalid",
                             trust_forwarded_for=True)


    async def test_the_public_https_origin_is_accepted(self, world):
        assert world.base_url.startswith("http://")
        token = await _token(world)
        forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "care.steadyline.invalid",
                     "X-Forwarded-For": "203.0.113.7"}
        assert await _connects(world, token, "https://care.steadyline.invalid", **forwarded)
        # The scheme the proxy reports does not widen what is accepted: the plain-HTTP origin of the same
        # host, the proxy's own address and other sites are refused.
        assert not await _connects(world, token, "http://care.steadyline.invalid", **forwarded)
        assert not await _connects(world, token, world.base_url, **forwarded)
        assert not await _connects(world, token, "https://evil.example", **forwarded)
