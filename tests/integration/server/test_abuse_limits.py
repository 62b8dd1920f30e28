"""Rate limits on sign-in and link redemption, and a lockout that spares the real person."""

from __future__ import annotations

import pytest

from server.app import create_app
from tests.conftest import make_settings
from tests.support.world import PASSWORD, World


@pytest.fixture
async def proxied(aiohttp_server, sqlite_url):
    settings = make_settings(sqlite_url, trust_forwarded_for=True)
    async with World.start(aiohttp_server, create_app, settings) as world:
        yield world


async def _login(world, email, password, address):
    return await world.request("POST", "/api/auth/login", json={"email": email, "password": password},
                               headers={"X-Forwarded-For": address})


async def test_guessing_locks_the_guessers_address_but_not_the_real_person(proxied):
    therapist = await proxied.therapist()  # signed in once from 127.0.0.1
    assert (await _login(proxied, therapist.email, PASSWORD, "198.51.100.7"))[0] == 200  # their usual address
    for _ in range(5):
        assert (await _login(proxied, therapist.email, "guess", "203.0.113.9"))[0] == 401
    status, body = await _login(proxied, therapist.email, PASSWORD, "203.0.113.9")
    assert status == 429 and body["code"] == "rate_limited"  # even the right password, from the guesser
    assert (await _login(proxied, therapist.email, PASSWORD, "198.51.100.7"))[0] == 200  # the real person


async def test_an_account_attacked_from_many_addresses_stays_open_to_known_addresses(proxied):
    therapist = await proxied.therapist()
    assert (await _login(proxied, therapist.email, PASSWORD, "198.51.100.7"))[0] == 200
    for i in range(50):
        await _login(proxied, therapist.email, "guess", f"203.0.113.{i + 1}")
    assert (await _login(proxied, therapist.email, PASSWORD, "192.0.2.200"))[0] == 429  # unknown address
    assert (await _login(proxied, therapist.email, PASSWORD, "198.51.100.7"))[0] == 200  # known address


async def test_link_redemption_is_limited_per_address(proxied):
    statuses = []
    for _ in range(32):
        status, _ = await proxied.request("POST", "/api/join", json={"token": "C" * 43},
                                          headers={"X-Forwarded-For": "203.0.113.50"})
        statuses.append(status)
    assert statuses[:30] == [410] * 30 and statuses[30:] == [429, 429]
    status, _ = await proxied.request("POST", "/api/join", json={"token": "C" * 43},
                                      headers={"X-Forwarded-For": "203.0.113.51"})
    assert status == 410  # another address is unaffected
