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
# The version a client last read (optimistic locking).
Version = Annotated[StrictInt, Field(ge=1, le=1_000_000_000)]
