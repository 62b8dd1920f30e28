"""Schemathesis against the server's own OpenAPI document (``/api/openapi.json``).

The document is fetched from the running app and loaded with ``schemathesis.openapi.from_dict``;
every operation is called (positive and negative cases) against the loopback server with the
access token of a real therapist sign-in, and must pass ``not_a_server_error``. Schemathesis calls
through ``requests`` (blocking), so the cases run in a worker thread while the app keeps serving on
the test's event loop."""

from __future__ import annotations

import asyncio
import itertools

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from tests.integration.fuzz.strategies import SCALE  # noqa: E402
from tests.support.tls import dev_certificate  # noqa: E402

EXAMPLES = max(1, int(5 * SCALE))
CERTIFICATE = str(dev_certificate()[0])  # the server is served over TLS with the development certificate
_addresses = (f"203.0.113.{i % 250 + 1}" for i in itertools.count())


def _run_operations(schema, base_url: str, token: str, path_parameters: dict | None, sign_out: bool) -> list[str]:
    """Every operation, positive and negative cases; returns one line per failing operation."""
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    if not sign_out:
        operations = [op for op in operations if not op.path.endswith("/logout")]
    # Signing out ends the token's staff session and ending a session ends it for everyone: last.
    operations.sort(key=lambda op: (op.path.endswith("/logout"), op.path.endswith("/end")))
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            params = {k: v for k, v in (path_parameters or {}).items() if f"{{{k}}}" in operation.path}
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=params or None)

            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=False,
                      suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
            @given(case=strategy)
            def check(case):
                headers = {"Authorization": f"Bearer {token}", "X-Forwarded-For": next(_addresses)}
                response = case.call(base_url=base_url, headers=headers, timeout=20, verify=CERTIFICATE)
                case.validate_response(response, checks=[not_a_server_error])

            try:
                check()
            except Exception as exc:  # collect, so one bad operation does not hide the others
                failures.append(f"{operation.method.upper()} {operation.path} [{mode.value}]: "
                                f"{type(exc).__name__}: {str(exc)[:1500]}")
    return failures


async def test_openapi_operations_pass_schemathesis(world, actors):
    status, document = await world.request("GET", "/api/openapi.json")
    assert status == 200 and document["paths"], document
    schema = schemathesis.openapi.from_dict(document)
    assert len(list(schema.get_all_operations())) == sum(len(methods) for methods in document["paths"].values())
    session_id, participant_id = await actors.fresh_session()
    token = actors.tokens["therapist"]
    failures = await asyncio.to_thread(_run_operations, schema, world.base_url, token, None, False)
    # Again with real ids in the path, so the handlers get past "not found"; sign-out last of all.
    failures += await asyncio.to_thread(_run_operations, schema, world.base_url, token,
                                        {"session_id": session_id, "participant_id": participant_id,
                                         "client_id": actors.client_id}, True)
    assert not failures, "\n\n".join(failures)
