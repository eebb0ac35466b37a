"""Success answers with more than a body."""

from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types


def created(body: Any, location: str, *, status: int = 201) -> Response[Any]:
    """201 Created with the new resource's address in `Location`."""
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={"Location": location},
    )
