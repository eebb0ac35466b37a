"""Plain Python values <-> DynamoDB attribute values.

Written here instead of using boto3's TypeSerializer because that lives in the boto3
package, whose import (it pulls in s3transfer) costs ~90 ms of every cold start while the
functions need only botocore's DynamoDB client (measured by `make bench`). Numbers come
back as int or float, never Decimal.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

AttributeValue = dict[str, Any]


def _number(value: int | float | Decimal) -> str:
    text = str(value) if not isinstance(value, float) else repr(value)
    if text in {"nan", "inf", "-inf", "NaN", "Infinity", "-Infinity"}:
        raise ValueError(f"DynamoDB cannot store {value!r}")
    return text


def to_attribute(value: Any) -> AttributeValue:
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):  # before int: bool is an int
        return {"BOOL": value}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, int | float | Decimal):
        return {"N": _number(value)}
    if isinstance(value, Mapping):
        return {"M": {str(k): to_attribute(v) for k, v in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [to_attribute(v) for v in value]}
    if isinstance(value, set | frozenset) and value and all(isinstance(v, str) for v in value):
        return {"SS": sorted(value)}
    raise TypeError(f"Cannot store a {type(value).__name__} in DynamoDB")


def _from_number(text: str) -> int | float:
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else float(number)


def from_attribute(attribute: Mapping[str, Any]) -> Any:
    ((kind, value),) = attribute.items()
    if kind == "S":
        return value
    if kind == "N":
        return _from_number(value)
    if kind == "BOOL":
        return bool(value)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: from_attribute(v) for k, v in value.items()}
    if kind == "L":
        return [from_attribute(v) for v in value]
    if kind == "SS":
        return list(value)
    if kind == "NS":
        return [_from_number(v) for v in value]
    if kind in {"B", "BS"}:
        return value
    raise ValueError(f"Unknown DynamoDB attribute type {kind}")
