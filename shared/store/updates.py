"""Update actions that SET only the named fields, under an optimistic `version` check.

Used for edits by people (clubs, rides): counters other requests maintain on the same
item (participants, members) are never overwritten by an edit based on an older read.
"""

from collections.abc import Mapping
from typing import Any


def versioned_update(
    key: Mapping[str, str],
    fields: Mapping[str, Any],
    expected_version: int,
    *,
    condition: str | None = None,
    names: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An Update action: fields set (None removes them), version bumped, and the item
    must exist at `expected_version` (and satisfy `condition`, if given)."""
    all_names = {"#version": "version", **(names or {})}
    all_values: dict[str, Any] = {":expected": expected_version, ":one": 1, **(values or {})}
    sets, removes = ["#version = #version + :one"], []
    for i, (field, value) in enumerate(fields.items()):
        all_names[f"#f{i}"] = field
        if value is None:
            removes.append(f"#f{i}")
        else:
            sets.append(f"#f{i} = :v{i}")
            all_values[f":v{i}"] = value
    expression = "SET " + ", ".join(sets)
    if removes:
        expression += " REMOVE " + ", ".join(removes)
    check = "attribute_exists(PK) AND #version = :expected"
    if condition:
        check += f" AND ({condition})"
    return {
        "Update": {
            "Key": dict(key),
            "UpdateExpression": expression,
            "ConditionExpression": check,
            "ExpressionAttributeNames": all_names,
            "ExpressionAttributeValues": all_values,
        }
    }


def put_if_version(item: Mapping[str, Any], expected_version: int | None) -> dict[str, Any]:
    """A Put action that creates the item (`expected_version` None: it must not exist) or
    replaces it only if it is still at `expected_version`."""
    if expected_version is None:
        return {"Put": {"Item": dict(item), "ConditionExpression": "attribute_not_exists(PK)"}}
    return {
        "Put": {
            "Item": dict(item),
            "ConditionExpression": "version = :expected",
            "ExpressionAttributeValues": {":expected": expected_version},
        }
    }
