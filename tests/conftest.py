"""Shared fixtures: real databases (SQLite file, PostgreSQL server), a real Redis server, and the
real app served on a loopback port."""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from server.db.engine import make_engine, migrate
from server.logging_setup import configure_logging
from server.settings import Settings
from tests.support.services import PostgresServer, RedisServer, free_port
from tests.support.tls import dev_certificate
from tests.support.world import World

TEST_SECRET = "test-secret-" + "x" * 40
TEST_FIELD_KEYS = "test1:" + base64.b64encode(bytes(range(32))).decode()
TEST_AUDIT_SECRET = "test-audit-chain-key-" + "a" * 40  # never derived from the token secret


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    yield server
    server.stop()


async def _migrate(url: str) -> None:
    engine = make_engine(url)
    await migrate(engine)
    await engine.dispose()


def run_in_thread(coroutine_function) -> None:
    """Run setup coroutines in their own loop: session fixtures may be reached from inside a test's loop."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coroutine_function()).result()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    run_in_thread(lambda: _migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_server) -> str:
    async def create() -> None:
        conn = await asyncpg.connect(postgres_server.url.replace("+asyncpg", ""))
        await conn.execute("CREATE DATABASE steadyline_template")
        await conn.close()
        await _migrate(postgres_server.url.rsplit("/", 1)[0] + "/steadyline_template")

    run_in_thread(create)
    return "steadyline_template"


async def fresh_postgres_url(server: PostgresServer, template: str) -> str:
    name = "t_" + uuid.uuid4().hex[:12]
    conn = await asyncpg.connect(server.url.replace("+asyncpg", ""))
    await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    await conn.close()
    return str(make_url(server.url).set(database=name).render_as_string(hide_password=False))


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request, tmp_path, sqlite_template) -> str:
    """A fresh, migrated database: every test using this runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "steadyline.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite+aiosqlite:///{path}"
    server = request.getfixturevalue("postgres_server")
    template = request.getfixturevalue("postgres_template")
    return await fresh_postgres_url(server, template)


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template) -> str:
    path = tmp_path / "steadyline.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


def make_settings(database_url: str, **overrides) -> Settings:
    """Settings as ``make run`` makes them: TLS in the process with the development certificate and
    the public URL https://localhost:PORT (a free port; World serves the app there)."""
    cert, key = dev_certificate()
    values = dict(
        database_url=database_url, jwt_secret=TEST_SECRET, field_keys=TEST_FIELD_KEYS, tls_cert=cert, tls_key=key,
        port=free_port(), log_json=True, reconnect_window=2.0, _env_file=None,
        audit_secret=TEST_AUDIT_SECRET, audit_checkpoint_interval=0,  # no signing key: tests that sign make one
        # no sweeps sleeping on a test's clock: the tests of missed sessions and check-ins run theirs
        outreach_sweep_interval=0, check_in_sweep_interval=0,
        media_workers=0,  # group media on the app's own loop; tests of media workers ask for them
    )
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings(sqlite_url) -> Settings:
    return make_settings(sqlite_url)


@pytest.fixture
def clock():
    """The clock the app's timers run on: real time (None), unless a test module overrides this with
    a ``tests.support.fake_clock.FakeClock`` (and a test parametrizes it back to None for real time)."""
    return None


@pytest.fixture
async def world(settings, clock) -> AsyncIterator[World]:
    """The real app on a loopback port, with a program, a therapist and helpers to drive it."""
    async with World.start(settings, clock=clock) as w:
        yield w


SUITE_LOG = Path(__file__).resolve().parent.parent / "test-artifacts" / f"suite-debug-{os.getpid()}.log"  # kept only if it leaked


def pytest_configure(config):
    """The whole suite logs at DEBUG into one file, which is checked for secrets at the end."""
    SUITE_LOG.parent.mkdir(parents=True, exist_ok=True)
    config._steadyline_log = SUITE_LOG.open("w", encoding="utf-8")
    configure_logging("DEBUG", json_logs=True, stream=config._steadyline_log)


def _leaked_secrets() -> list[str]:
    from tests.support.world import PASSWORD, SEEN_SECRETS

    text = SUITE_LOG.read_text(encoding="utf-8", errors="replace")
    key_material = TEST_FIELD_KEYS.split(":", 1)[1]
    known = {secret for secret in (TEST_SECRET, TEST_AUDIT_SECRET, key_material, PASSWORD, *SEEN_SECRETS) if secret}
    # Any occurrence of a secret lies inside one maximal run of the characters secrets are made of:
    # search the distinct runs (a few MB) instead of the whole log (tens of MB) once per secret.
    alphabet = re.escape("".join(sorted(set("".join(known)))))
    haystack = "\n".join(set(re.findall(f"[{alphabet}]+", text)))
    return sorted(secret[:12] + "…" for secret in known if secret in haystack)


def pytest_sessionfinish(session, exitstatus):
    """In CI nothing may be skipped: a skipped Redis/PostgreSQL/browser test fails the run.
    And no token, key, password or personal name may appear in the DEBUG logs."""
    session.config._steadyline_log.flush()
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    leaked = _leaked_secrets()
    if leaked and reporter:
        reporter.write_line(f"Secrets found in {SUITE_LOG}: {leaked}", red=True)
        session.exitstatus = 1
    elif not leaked:
        session.config._steadyline_log.close()
        SUITE_LOG.unlink(missing_ok=True)
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if os.environ.get("CI") and skipped and exitstatus == 0:
        reporter.write_line(f"CI is strict: {skipped} skipped test(s) count as failures.", red=True)
        session.exitstatus = 1
