"""The error answers of the API, documented in the OpenAPI schema in one place (a drf-spectacular hook).

Every answer config/api_errors.py gives is JSON: ``{"detail", "code"}`` for a refusal, and the errors per
field for invalid input. Each operation gets the ones that can happen to it, unless its view documents
its own: 400 where it reads a body or query parameters, 401 where it reads a token (a wrong one is refused
even where no login is needed), 403 where a login is needed, 404 where
the path names an object, 409 where it changes state that can be in the wrong one, 415 where it reads a
JSON body (any other body is refused).
"""

from __future__ import annotations

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Invalid input: each field's name with its messages (``non_field_errors`` for the whole "
                   "body), or ``detail`` when the body could not be read at all.",
    "additionalProperties": {},
}
REASONS = {
    400: ("FieldErrors", "Invalid input, with the errors per field."),
    401: ("Error", "No valid token or session, or a token sent that is wrong or expired."),
    403: ("Error", "The role may not do this, with the reason."),
    404: ("Error", "No such object (or not one this user may see)."),
    409: ("Error", "Not allowed in the object's current state, with the reason."),
    415: ("Error", "The body is not JSON."),
}
UNSAFE = {"post", "put", "patch", "delete"}


def _codes(path: str, method: str, operation: dict) -> list[int]:
    codes = []
    if "requestBody" in operation or any(p["in"] == "query" for p in operation.get("parameters", [])):
        codes.append(400)
    security = operation.get("security", [{}])
    if any(security):
        codes.append(401)  # also where a login is optional: a token sent along that is wrong or expired
    if {} not in security:
        codes.append(403)
    if "{" in path:
        codes.append(404)
    if method in UNSAFE and "{" in path:
        codes.append(409)
    if "requestBody" in operation and "application/json" in operation["requestBody"].get("content", {}):
        codes.append(415)
    return codes


def document_errors(result: dict, generator, request, public) -> dict:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR)
    schemas.setdefault("FieldErrors", FIELD_ERRORS)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for code in _codes(path, method, operation):
                name, description = REASONS[code]
                responses.setdefault(str(code), {
                    "description": description,
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                })
    return result
