"""The OpenAPI 3.1 document, generated from the route table and its pydantic models.

It says exactly what the service does: each success is the ``{"ok": true, ...}`` envelope
around the route's response model (serialization schema, as ``ok()`` writes it) with the
route's own status codes (201, 202); each error is the one error shape with its extras
(``holder``, ``current``, ``approval``, ``allowed_methods``), under the codes the route's
inputs and role can produce; path parameters come from :mod:`assistant.path_params`;
request bodies are validated strictly (see ``assistant.api.io.validate_body``), so their
validation schema is what the server accepts. ``tests/foundation/test_openapi_fuzz.py``
keeps it exact by fuzzing the running service against it.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field, create_model
from pydantic.json_schema import JsonSchemaMode, models_json_schema

import assistant
from assistant.path_params import INT64_MAX, PATH_PARAMS, path_names
from knowledge.models import Model

if TYPE_CHECKING:
    from assistant.endpoint import Endpoint

REF = "#/components/schemas/{model}"
INT64_MIN = -(2**63)
IDEMPOTENCY_KEY_PATTERN = "^[A-Za-z0-9_.:-]{8,100}$"


class FieldErrorModel(Model):
    field: str
    message: str


class HolderModel(Model):
    id: int
    title: str


class AgentHolderModel(Model):
    """Who holds a claimed conversation or reminder task."""

    agent_id: int | None
    name: str | None
    claimed_at: str | None = None
    lease_until: str | None = None


class ErrorResponse(Model):
    """The one error shape of the whole API."""

    ok: Literal[False] = False
    error: str
    errors: list[FieldErrorModel]
    status: int
    holder: HolderModel | AgentHolderModel | None = Field(
        None,
        description="409 on a taken code: the phrase that holds it; on a claimed conversation or task: who",
    )
    current: dict[str, Any] | None = Field(
        None, description="409 on a stale version or a changed plan: the current row (or plan)"
    )
    approval: dict[str, Any] | None = Field(None, description="409 on a decided approval: its state now")
    allowed_methods: list[str] | None = Field(None, description="405: the methods the path takes")


_ERRORS = {
    400: "Bad input: `errors` names each field and why",
    401: "Missing or invalid bearer token",
    403: "A foreign Host, a cross-origin write, or a role that may not do this",
    404: "Unknown id, shop or name",
    409: "Stale version or clash; the current values are returned (`current`, `holder`, `approval`)",
    413: "Body too large (`max_body_bytes`)",
}
_SUCCESS = {200: "OK", 201: "Created", 202: "Accepted: queued, or waiting for a supervisor's approval"}


# Unicode's White_Space (what pydantic's str_strip_whitespace trims), plus the ASCII separators Python's
# str.strip also trims, as a regex class.
_SPACE = (
    "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
)
TRIMMED = {
    "type": "string",
    "pattern": f"^[{_SPACE}]|[{_SPACE}]$",
    "description": "spaces around the text are trimmed before its length and pattern are checked",
}


def trimmed(node: Any) -> Any:
    """Constrained strings also take surrounding spaces: the models trim them before checking
    ``minLength``/``maxLength``/``pattern`` (``" fh"`` is the code ``fh``; 30 characters and a
    space fit a 30-character name), so the document says ``anyOf: [the constraints, spaces around]``."""
    if isinstance(node, list):
        return [trimmed(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {key: trimmed(value) for key, value in node.items()}
    if node.get("type") == "string" and {"minLength", "maxLength", "pattern"} & node.keys():
        meta = {key: node.pop(key) for key in ("title", "description", "default") if key in node}
        return {**meta, "anyOf": [node, TRIMMED]}
    return node


def int64(node: Any) -> Any:
    """Every integer is an int64 (SQLite's): the server refuses others (``assistant.api.io.within_int64``)."""
    if isinstance(node, list):
        return [int64(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {key: int64(value) for key, value in node.items()}
    if node.get("type") == "integer":
        if "maximum" not in node and "exclusiveMaximum" not in node:
            node["maximum"] = INT64_MAX
        if "minimum" not in node and "exclusiveMinimum" not in node:
            node["minimum"] = INT64_MIN
    return node


@functools.cache
def envelope(model: type[BaseModel]) -> type[BaseModel]:
    """``model`` inside the success envelope: its fields and ``ok: true``."""
    ok_field: Any = (Literal[True], Field(description="always true on success"))
    return create_model(
        f"{model.__name__}Response",
        __base__=model,
        __doc__=model.__doc__,
        __module__=model.__module__,
        ok=ok_field,
    )


def error_statuses(endpoint: Endpoint) -> list[int]:
    """The error codes the route's inputs and role can produce."""
    names = path_names(endpoint.path)
    statuses = {403, *endpoint.errors}  # the Host check applies to every route
    for name in names:
        statuses |= PATH_PARAMS[name].errors
    if endpoint.query is not None or endpoint.body is not None or endpoint.idempotency_key or endpoint.upload:
        statuses.add(400)
    if endpoint.role is not None:
        statuses |= {401, 404}
    if endpoint.method != "GET" and endpoint.role is not None:
        statuses.add(409)
    if endpoint.body is not None or endpoint.upload:
        statuses.add(413)
    return sorted(statuses)


def _responses(endpoint: Endpoint) -> tuple[type[BaseModel], ...]:
    if endpoint.response is None:
        return ()
    return endpoint.response if isinstance(endpoint.response, tuple) else (endpoint.response,)


def _query_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is absent, never null: drop pydantic's ``null`` branch."""
    if "anyOf" in schema:
        branches = [b for b in schema["anyOf"] if b != {"type": "null"}]
        rest = {k: v for k, v in schema.items() if k != "anyOf" and not (k == "default" and v is None)}
        return {**branches[0], **rest} if len(branches) == 1 else {**rest, "anyOf": branches}
    return schema


def build_openapi(endpoints: list[Endpoint]) -> dict[str, Any]:
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [(ErrorResponse, "serialization")]
    for endpoint in endpoints:
        wanted.extend((m, "validation") for m in (endpoint.query, endpoint.body) if m is not None)
        wanted.extend(
            (envelope(m) if endpoint.envelope else m, "serialization") for m in _responses(endpoint)
        )
    unique = list(dict.fromkeys(wanted))
    refs, schema = models_json_schema(unique, ref_template=REF)
    components: dict[str, Any] = int64(trimmed(schema.get("$defs", {})))

    def ref(model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        return dict(refs[(model, mode)])

    def component(model: type[BaseModel]) -> dict[str, Any]:
        name = str(ref(model, "validation")["$ref"]).rsplit("/", 1)[1]
        found: dict[str, Any] = components[name]
        return found

    error_content = {"application/json": {"schema": ref(ErrorResponse, "serialization")}}
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        success: dict[str, Any] = {}
        models = _responses(endpoint)
        if models and "application/json" in endpoint.produces:
            schemas = [ref(envelope(m) if endpoint.envelope else m, "serialization") for m in models]
            body_schema = schemas[0] if len(schemas) == 1 else {"oneOf": schemas}
            success = {"application/json": {"schema": body_schema}}
        for media in endpoint.produces:
            if media not in success:
                kind = {"type": "object"} if media == "application/json" else {"type": "string"}
                success[media] = {"schema": kind}
        responses: dict[str, Any] = {
            str(status): {"description": _SUCCESS.get(status, "OK"), "content": success}
            for status in endpoint.statuses
        }
        for status in error_statuses(endpoint):
            responses[str(status)] = {"description": _ERRORS[status], "content": error_content}
        operation: dict[str, Any] = {
            "operationId": endpoint.name,
            "summary": endpoint.summary,
            "tags": [endpoint.tag],
            "responses": responses,
        }
        if endpoint.role is not None:
            operation["security"] = [{"bearer": []}]
            operation["x-role"] = endpoint.role.value
        params: list[dict[str, Any]] = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": PATH_PARAMS[name].description,
                "schema": dict(PATH_PARAMS[name].schema),
            }
            for name in path_names(endpoint.path)
        ]
        if endpoint.idempotency_key:
            params.append(
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": True,
                    "description": "a new random value for each edit, sent again unchanged on a retry "
                    "(a retry answers the first result with `replayed: true`; another body with the same key is 409)",
                    "schema": {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN},
                }
            )
        if endpoint.query is not None:
            properties = component(endpoint.query).get("properties", {})
            for name, field in endpoint.query.model_fields.items():
                key = field.alias or name
                params.append(
                    {
                        "name": key,
                        "in": "query",
                        "required": field.is_required(),
                        "description": field.description or "",
                        "schema": _query_schema(properties[key]),
                    }
                )
        if params:
            operation["parameters"] = params
        if endpoint.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(endpoint.body, "validation")}},
            }
        if endpoint.upload is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": [endpoint.upload],
                            "properties": {endpoint.upload: {"type": "string", "format": "binary"}},
                        }
                    }
                },
            }
        paths.setdefault(endpoint.path, {})[endpoint.method.lower()] = operation

    return {
        "openapi": "3.1.0",
        "info": {
            "title": "kefu-assistant API",
            "version": assistant.__version__,
            "description": 'JSON under /api. Success: {"ok": true, ...}; failure: the one error shape. '
            "Money is integer fen. Auth: Authorization: Bearer <agent token>. Path ids are ASCII digits "
            "(1 to 2^63-1); anything else is 400 naming the parameter.",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
