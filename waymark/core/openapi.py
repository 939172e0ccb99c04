"""The OpenAPI description's error responses (a drf-spectacular post-processing hook).

drf-spectacular describes each operation's success. Every operation can also be refused, and
clients (and the schema fuzzing in tests/test_schemathesis.py) must be able to rely on the shape
of those answers too, so each operation lists them:

- 400: the fields in error, each with its messages (`{"field": ["message"]}`);
- 401 / 403: not signed in, or not allowed;
- 404: no such record, or one the user may not see (the two are answered alike);
- 429: too many requests, with Retry-After.
"""

from typing import Any

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string", "readOnly": True}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Each field in error with its messages; errors of the whole request are "
    "under non_field_errors",
    "additionalProperties": {},
}
RESPONSES = {
    "400": ("The request was refused: see each field's messages", "FieldErrors"),
    "401": ("Not signed in", "Error"),
    "403": ("Not allowed", "Error"),
    "404": ("No such record, or one you may not see", "Error"),
    "429": ("Too many requests: try again after Retry-After seconds", "Error"),
}
METHODS = ("get", "put", "post", "patch", "delete")


def error_responses(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR)
    components.setdefault("FieldErrors", FIELD_ERRORS)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            # An error is rendered like the operation's answers (GeoJSON views answer errors in
            # GeoJSON's media type), so it is listed under each media type they use.
            media_types = sorted({t for r in responses.values() for t in r.get("content", {})}) or [
                "application/json"
            ]
            for status, (description, schema) in RESPONSES.items():
                ref = {"schema": {"$ref": f"#/components/schemas/{schema}"}}
                responses.setdefault(
                    status,
                    {"description": description, "content": {t: ref for t in media_types}},
                )
    return result
