"""The OpenAPI 3.1 document, built from the route table's typed models."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from server.http.schemas import Problem


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    summary: str
    request: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    auth: str | None = "staff"  # "staff" access token, "responder" / "home" bearer token, or None
    query: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()  # required request headers


def _ref(model: type[BaseModel]) -> dict:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def build_document(operations: list[Operation], version: str) -> dict:
    models = {m for op in operations for m in (op.request, op.response) if m} | {Problem}
    _, defs = models_json_schema([(m, "validation") for m in sorted(models, key=lambda m: m.__name__)],
                                 ref_template="#/components/schemas/{model}")
    paths: dict[str, dict] = {}
    for op in operations:
        params = [{"name": p.strip("{}"), "in": "path", "required": True, "schema": {"type": "string"}}
                  for p in op.path.split("/") if p.startswith("{")]
        params += [{"name": q, "in": "query", "required": False, "schema": {"type": "string"}} for q in op.query]
        params += [{"name": h, "in": "header", "required": True, "schema": {"type": "string", "minLength": 2}}
                   for h in op.headers]
        problem = {"application/problem+json": {"schema": _ref(Problem)}}
        spec: dict = {
            "summary": op.summary,
            "operationId": f"{op.method}_{op.path}".replace("/", "_").replace("{", "").replace("}", ""),
            "parameters": params,
            "responses": {
                str(op.status): {"description": "OK", **({"content": {"application/json": {"schema": _ref(op.response)}}} if op.response else {})},
                "default": {"description": "Problem", "content": problem},
            },
        }
        if op.request:
            spec["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(op.request)}}}
        if op.auth:
            spec["security"] = [{"bearer": []}]
            if op.auth == "responder":
                spec["description"] = "`Authorization: Bearer <responder token>` (the token of the responder link)."
            if op.auth == "home":
                spec["description"] = ("`Authorization: Bearer <home token>` (from `POST /api/home/open` with the "
                                       "client's standing link).")
        paths.setdefault(op.path, {})[op.method.lower()] = spec
    return {
        "openapi": "3.1.0",
        "info": {"title": "Steadyline API", "version": version},
        "paths": paths,
        "components": {
            "schemas": defs.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
    }


def openapi_handler(document: dict):
    async def handler(request: web.Request) -> web.Response:
        return web.json_response(document)

    return handler
