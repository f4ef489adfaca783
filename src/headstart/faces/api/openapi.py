"""The OpenAPI document declares the errors every operation may answer, not only its own.

Ninja documents what a view returns; the errors the API answers around a view (no or a
refused token, too many requests, a database busy with another write, a malformed,
oversize or invalid body) are added here, so that a client generated from the document, or a
fuzzer checking responses against it, knows every status it can receive (all of them JSON,
see errors.py).
"""

from __future__ import annotations

from typing import Any

ERROR_REF = {"$ref": "#/components/schemas/Error"}

# ninja's 422: {"detail": [{"type": ..., "loc": [...], "msg": ...}, ...]}
VALIDATION_ERROR = {
    "title": "ValidationError",
    "type": "object",
    "properties": {"detail": {"type": "array", "items": {
        "type": "object",
        "properties": {"type": {"type": "string"}, "loc": {"type": "array", "items": {}},
                       "msg": {"type": "string"}},
        "required": ["type", "loc", "msg"]}}},
    "required": ["detail"],
}


def _error(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema or ERROR_REF}}}


# Every operation: authentication and throttling run before the view.
EVERY_OPERATION = {
    401: _error("no valid token or session (also a token refused as revoked or expired)"),
    429: _error("too many requests from this caller, or too many refused tokens from this address "
                "(see Retry-After)"),
    503: _error("the database is busy with another write; nothing was done, retry after Retry-After "
                "seconds (see busy.py)"),
}
# Operations that read parameters or a body: ninja validates them before the view.
WITH_INPUT = {
    400: _error("a malformed body or form"),
    413: _error("the body is larger than the server takes"),
    422: _error("a parameter or a body field is missing or of the wrong type",
                {"$ref": "#/components/schemas/ValidationError"}),
}


def declare_framework_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the errors above to every operation of the document, keeping what a view declared."""
    schema.setdefault("components", {}).setdefault("schemas", {})["ValidationError"] = VALIDATION_ERROR
    schema["components"]["schemas"].setdefault("Error", {
        "title": "Error", "type": "object", "properties": {"detail": {"title": "Detail", "type": "string"}},
        "required": ["detail"]})
    for item in schema.get("paths", {}).values():
        for operation in item.values():
            responses = _one_key_per_status(operation.setdefault("responses", {}))
            operation["responses"] = responses
            extra = dict(EVERY_OPERATION)
            if operation.get("parameters") or operation.get("requestBody"):
                extra |= WITH_INPUT
            for status, response in extra.items():
                if status not in responses and str(status) not in responses:
                    responses[status] = response
    return schema


def _one_key_per_status(responses: dict[Any, Any]) -> dict[Any, Any]:
    """Ninja keys a view's responses by number (200) and openapi_extra by string ("200"): both
    would be written as "200", a duplicated key that YAML parsers (Swagger UI's among them)
    refuse. One entry per status, the view's fields with the openapi_extra's over them."""
    merged: dict[Any, Any] = {}
    for status, response in responses.items():
        number = int(status) if str(status).isdigit() else status
        merged[number] = {**merged.get(number, {}), **response}
    return merged
