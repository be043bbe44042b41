"""The OpenAPI 3.1 document, generated from the route table and its pydantic models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

import assistant
from assistant.path_params import PATH_PARAMS, path_names
from knowledge.models import Model

if TYPE_CHECKING:
    from assistant.endpoint import Endpoint

REF = "#/components/schemas/{model}"


class FieldErrorModel(Model):
    field: str
    message: str


class ErrorResponse(Model):
    """The one error shape of the whole API."""

    ok: bool = False
    error: str
    errors: list[FieldErrorModel]
    status: int


_ERRORS = {
    "400": "Bad input: `errors` names each field and why",
    "401": "Missing or invalid bearer token",
    "403": "The agent's role may not do this, or a cross-origin write",
    "404": "Unknown id",
    "409": "Stale version or clash; the current values are returned",
}


def build_openapi(endpoints: list[Endpoint]) -> dict[str, Any]:
    models: list[type[BaseModel]] = [ErrorResponse]
    for endpoint in endpoints:
        models.extend(m for m in (endpoint.query, endpoint.body, endpoint.response) if m is not None)
    unique = list(dict.fromkeys(models))
    refs, schema = models_json_schema(
        [(m, "validation" if m is not ErrorResponse else "serialization") for m in unique],
        ref_template=REF,
    )

    def ref(model: type[BaseModel]) -> dict[str, Any]:
        mode: Literal["validation", "serialization"] = (
            "serialization" if model is ErrorResponse else "validation"
        )
        return dict(refs[(model, mode)])

    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        operation: dict[str, Any] = {
            "operationId": endpoint.name,
            "summary": endpoint.summary,
            "tags": [endpoint.tag],
            "responses": {"200": {"description": "`{\"ok\": true, ...}`"}},
        }
        if endpoint.response is not None:
            schema_ref = ref(endpoint.response)
            operation["responses"]["200"]["content"] = {"application/json": {"schema": schema_ref}}
        for status, text in _ERRORS.items():
            operation["responses"][status] = {
                "description": text, "content": {"application/json": {"schema": ref(ErrorResponse)}},
            }
        if endpoint.role is not None:
            operation["security"] = [{"bearer": []}]
            operation["x-role"] = endpoint.role.value
        params: list[dict[str, Any]] = [
            {
                "name": name, "in": "path", "required": True, "description": PATH_PARAMS[name].description,
                "schema": dict(PATH_PARAMS[name].schema),
            }
            for name in path_names(endpoint.path)
        ]
        if endpoint.query is not None:
            for name, field in endpoint.query.model_fields.items():
                params.append({
                    "name": field.alias or name, "in": "query", "required": field.is_required(),
                    "description": field.description or "",
                    "schema": endpoint.query.model_json_schema()["properties"][field.alias or name],
                })
        if params:
            operation["parameters"] = params
        if endpoint.body is not None:
            operation["requestBody"] = {
                "required": True, "content": {"application/json": {"schema": ref(endpoint.body)}},
            }
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kefu-assistant API",
            "version": assistant.__version__,
            "description": "JSON under /api. Success: {\"ok\": true, ...}; failure: the one error shape. "
            "Money is integer fen. Auth: Authorization: Bearer <agent token>.",
        },
        "paths": paths,
        "components": {
            "schemas": schema.get("$defs", {}),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
