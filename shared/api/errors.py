"""The JSON error envelope every error answer uses: {"error": {"code", "message", ...}}."""

from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from pydantic import ConfigDict

from shared.domain.model import Model


class ErrorDetail(Model):
    # `details` is left out when there are none: not required in the document.
    model_config = ConfigDict(json_schema_serialization_defaults_required=False)

    code: str
    message: str
    details: Any = None


class ErrorBody(Model):
    error: ErrorDetail


def error_response(
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body = ErrorBody(error=ErrorDetail(code=code, message=message, details=details))
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body.model_dump_json(exclude_none=True),
        headers=headers,
    )
