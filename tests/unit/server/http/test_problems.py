"""The HTTP edge's one error table: every domain error of every package answers with its kind's status,
its own code and message; none becomes a 500 by being forgotten."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from aiohttp import web
from prometheus_client import CollectorRegistry

import handoff
import server
import signaling
from handoff.errors import (
    CrisisNotFound, DomainError, ErrorKind, HandoffError, IllegalTransition, PlanInvalid, PlanIssue, RoleNotPermitted,
)
from server.app_keys import HTTP_METRICS
from server.errors import LinkInvalid, SteadylineError
from server.http.metrics import HttpMetrics
from server.http.middleware import errors_as_problems
from server.http.problems import STATUS


def _every_domain_error() -> list[type[DomainError]]:
    for package in (handoff, server, signaling):
        for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if "migrations" not in module.name and not module.name.endswith("__main__"):
                importlib.import_module(module.name)
    found, todo = [], [DomainError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def test_every_kind_has_a_status():
    assert set(STATUS) == set(ErrorKind)


def test_only_the_two_base_classes_mean_our_own_failure():
    errors = _every_domain_error()
    assert len(errors) > 60  # the walk really found the packages' errors
    internal = {cls for cls in errors if cls.kind is ErrorKind.INTERNAL}
    assert internal == {DomainError, SteadylineError}
    unavailable = {cls.code for cls in errors if cls.kind is ErrorKind.UNAVAILABLE}
    assert unavailable == {"live_state_unavailable"}  # an outage, told as one: 503 with Retry-After
    assert all(400 <= STATUS[cls.kind] < 500 for cls in errors if cls not in internal and cls.code not in unavailable)


def _raising(error: Exception):
    async def handler(request: web.Request) -> web.Response:
        raise error
    return handler


@pytest.fixture
async def edge(aiohttp_client):
    """Only the error middleware and the metrics it counts with: handlers that raise what they are given."""
    app = web.Application(middlewares=[errors_as_problems])
    app[HTTP_METRICS] = HttpMetrics(CollectorRegistry())
    errors = {
        "illegal": IllegalTransition(), "role": RoleNotPermitted(), "gone": LinkInvalid(),
        "crisis": CrisisNotFound(), "plan": PlanInvalid([PlanIssue(section="contacts", item=0, problem="missing",
                                                                   message="Add a phone number.")]),
        "plain": HandoffError(), "bug": RuntimeError("not for the client's eyes"),
    }
    for name, error in errors.items():
        app.router.add_get(f"/{name}", _raising(error))
    return await aiohttp_client(app)


@pytest.mark.parametrize(("path", "status", "code"), [
    ("/illegal", 422, "crisis_illegal_transition"), ("/role", 403, RoleNotPermitted.code),
    ("/gone", 410, "link_invalid"), ("/crisis", 404, "crisis_not_found"), ("/plain", 422, "handoff_error"),
])
async def test_a_domain_error_no_handler_mapped_answers_its_kind(edge, path, status, code):
    response = await edge.get(path)
    body = await response.json()
    assert response.status == status and response.content_type == "application/problem+json"
    assert body["code"] == code and body["status"] == status and body["title"]


async def test_invalid_input_lists_its_fields_and_other_kinds_do_not(edge):
    plan = await (await edge.get("/plan")).json()
    assert plan["errors"] == [{"field": "contacts.0", "message": "Add a phone number.", "problem": "missing"}]
    assert "errors" not in await (await edge.get("/role")).json()


async def test_a_bug_is_a_500_that_tells_nothing(edge):
    response = await edge.get("/bug")
    body = await response.json()
    assert response.status == 500 and body["code"] == "internal_error"
    assert "client's eyes" not in await response.text()
