"""Number types for what clients send: JSON's true/false are never numbers here, and
versions stay in a range DynamoDB and every client language hold exactly."""

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StrictInt


def _not_a_bool(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("a number is expected, not true or false")
    return value


# For a decimal quantity (km, km/h, degrees): an integer or a fraction, never a boolean.
# It goes after the field's constraints (`Annotated[float, Field(...), NOT_A_BOOL]`), so
# they stay in the JSON schema.
NOT_A_BOOL = BeforeValidator(_not_a_bool)


def _json_integer(value: Any) -> Any:
    """JSON Schema's integer: a number without a fraction (1.0 is 1), never a boolean or
    a string; what StrictInt then checks."""
    if isinstance(value, bool):
        raise ValueError("an integer is expected, not true or false")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# For an integer in a JSON body, exactly as the OpenAPI document's `integer` describes it:
# `Annotated[StrictInt, Field(...limits), JSON_INTEGER]` (after the limits, so they stay
# in the JSON schema).
JSON_INTEGER = BeforeValidator(_json_integer)
# The version a client last read (optimistic locking).
Version = Annotated[StrictInt, Field(ge=1, le=1_000_000_000), JSON_INTEGER]
