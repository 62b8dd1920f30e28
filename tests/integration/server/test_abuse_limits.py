"""Rate limits on sign-in and link redemption, and progressive lockouts per (account, address) that spare
the real person: a new device, a device that signed in before, a real link."""

from __future__ import annotations

import secrets

import pytest
import redis.asyncio as aioredis

from server.access.abuse import AbuseGuard
from server.errors import RateLimited
from tests.conftest import fresh_postgres_url, make_settings
from tests.support.world import PASSWORD, SEEN_SECRETS, World


@pytest.fixture
async def proxied(sqlite_url):
    settings = make_settings(sqlite_url, trust_forwarded_for=True)
    async with World.start(settings) as world:
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


async def test_an_account_attacked_from_many_addresses_stays_open_from_a_new_device(proxied):
    therapist = await proxied.therapist()
    for i in range(50):  # 50 failures over 10 addresses
        await _login(proxied, therapist.email, "guess", f"203.0.113.{i % 10 + 1}")
    assert (await _login(proxied, therapist.email, PASSWORD, "192.0.2.200"))[0] == 200  # a new device, new address


async def _login_from_device(world, email, password, address, device_token):
    return await world.request("POST", "/api/auth/login", headers={"X-Forwarded-For": address},
                               json={"email": email, "password": password, "device_token": device_token})


async def test_a_guesser_behind_the_same_address_does_not_lock_out_a_device_that_signed_in_before(proxied):
    therapist = await proxied.therapist()
    shared = "198.51.100.20"  # one clinic network: the therapist and a guesser behind the same address
    status, body = await _login(proxied, therapist.email, PASSWORD, shared)
    assert status == 200 and body["device_token"]
    device_token = body["device_token"]
    SEEN_SECRETS.add(device_token)
    for _ in range(40):
        await _login(proxied, therapist.email, "guess", shared)
    status, refused = await _login(proxied, therapist.email, PASSWORD, shared)
    assert (status, refused["code"]) == (429, "rate_limited")  # the address is held back …
    status, body = await _login_from_device(proxied, therapist.email, PASSWORD, shared, device_token)
    assert status == 200, body  # … the therapist's own browser is not: no need to wait for the guesser to stop
    SEEN_SECRETS.add(body["device_token"])
    other = await proxied.therapist(therapist.program_id)
    status, _ = await _login_from_device(proxied, other.email, PASSWORD, "192.0.2.1", device_token)
    assert status == 200  # a device token of another account is simply ignored …
    for _ in range(5):
        await _login_from_device(proxied, other.email, "guess", shared, device_token)
    assert (await _login(proxied, other.email, PASSWORD, shared))[0] == 429  # … and counted as the address


async def test_link_redemption_failures_lock_the_address_but_a_real_link_still_works(proxied):
    therapist = await proxied.therapist()
    session = await proxied.session(therapist)
    link = await proxied.add_client(therapist, session["id"])
    guesser = {"X-Forwarded-For": "203.0.113.50"}
    statuses = []
    for _ in range(14):
        status, _ = await proxied.request("POST", "/api/join", json={"token": "C" * 43}, headers=guesser)
        statuses.append(status)
    assert statuses[:10] == [410] * 10 and statuses[10:] == [429] * 4
    status, body = await proxied.request("POST", "/api/join", json={"token": link["join_url"].split("#", 1)[1]},
                                         headers=guesser)
    assert status == 200, body  # the client behind the guesser's address gets in
    SEEN_SECRETS.add(body["participant_token"])
    status, _ = await proxied.request("POST", "/api/join", json={"token": "C" * 43},
                                      headers={"X-Forwarded-For": "203.0.113.51"})
    assert status == 410  # another address is unaffected


@pytest.fixture
async def two_nodes(postgres_server, postgres_template, redis_server):
    """Two app instances behind one (trusted) proxy, sharing PostgreSQL and a real Redis."""
    settings = make_settings(await fresh_postgres_url(postgres_server, postgres_template),
                             redis_url=redis_server.url, trust_forwarded_for=True)
    async with World.two_nodes(settings) as (first, second):
        yield first, second


@pytest.mark.redis
@pytest.mark.postgres
async def test_guesses_spread_over_nodes_count_together(two_nodes, redis_server):
    node_a, node_b = two_nodes
    therapist = await node_a.therapist()
    guesser = "203.0.113.77"
    assert (await _login(node_a, therapist.email, PASSWORD, "198.51.100.8"))[0] == 200  # on one node
    for node in (node_a, node_b, node_a, node_b, node_a):
        assert (await _login(node, therapist.email, "guess", guesser))[0] == 401
    for node in (node_a, node_b):  # five failures in all: the guesser is held back on both nodes
        status, body = await _login(node, therapist.email, PASSWORD, guesser)
        assert status == 429 and body["code"] == "rate_limited"
    assert (await _login(node_b, therapist.email, PASSWORD, "198.51.100.8"))[0] == 200  # the real person
    client = aioredis.Redis.from_url(redis_server.url)
    try:
        keys = [key.decode() async for key in client.scan_iter()]
    finally:
        await client.aclose()
    assert any(guesser in key for key in keys) and not any(therapist.email in key for key in keys), keys


@pytest.mark.redis
async def test_a_lockout_counted_on_one_node_holds_on_the_others_and_grows(redis_server):
    """Failures for one (account, address) count together on every node; each further run of failures
    locks for twice as long (a minute, two, …); other addresses and accounts are untouched."""
    node_a, node_b = AbuseGuard.shared(redis_server.url), AbuseGuard.shared(redis_server.url)
    account = f"staff-{secrets.token_hex(4)}@example.test"
    try:
        for i in range(5):
            await (node_a, node_b)[i % 2].sign_in_failed("203.0.113.60", account)
        with pytest.raises(RateLimited) as first:
            await node_b.before_sign_in("203.0.113.60", account)
        for i in range(5):
            await (node_a, node_b)[i % 2].sign_in_failed("203.0.113.60", account)
        with pytest.raises(RateLimited) as second:
            await node_a.before_sign_in("203.0.113.60", account)
        assert 55 <= first.value.retry_after <= 61 and 115 <= second.value.retry_after <= 121
        await node_b.before_sign_in("198.51.100.9", account)  # another address: not refused
        await node_a.before_sign_in("203.0.113.60", f"other-{account}")  # another account: untouched
        await node_a.sign_in_succeeded("203.0.113.60", account)  # a success from there clears it
        await node_b.before_sign_in("203.0.113.60", account)
    finally:
        await node_a.close()
        await node_b.close()


@pytest.mark.redis
async def test_responder_token_misses_count_across_nodes_and_ipv6_prefixes(redis_server):
    """Responder-link misses: counted in Redis for every node, an IPv6 /64 as one requester, and only the
    first miss of an address in a minute gets its own audit record."""
    node_a, node_b = AbuseGuard.shared(redis_server.url), AbuseGuard.shared(redis_server.url)
    prefix = f"2001:db8:{secrets.randbelow(0xffff):x}:1"
    try:
        for i in range(10):
            assert await (node_a, node_b)[i % 2].responder_link_allowed(f"{prefix}::{i + 1}")
            await (node_a, node_b)[i % 2].responder_link_missed(f"{prefix}::{i + 1}")
        assert not await node_a.responder_link_allowed(f"{prefix}::beef")  # the same /64
        assert await node_b.responder_link_allowed(f"{prefix}0::1")  # another /64
        assert await node_a.record_responder_miss(f"{prefix}::1", "miss")
        assert not await node_b.record_responder_miss(f"{prefix}::2", "miss")  # same minute, same /64
    finally:
        await node_a.close()
        await node_b.close()
