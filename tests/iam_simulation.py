"""IAM policy evaluation over synthesized templates, for the infra and service tests that
prove who may write what.

Written here because nothing offline does it: AWS's policy simulator is an API that needs
credentials, moto evaluates neither resources nor conditions for DynamoDB, and no kept
package on PyPI evaluates IAM documents. It covers what the platform's policies use and
refuses the rest loudly: Allow/Deny, `Action` and `Resource` with `*`/`?` wildcards,
conditions with `StringEquals`/`StringLike` (plain, `ForAnyValue:` or `ForAllValues:`).
The rules are IAM's: an explicit Deny wins, otherwise an Allow is needed.

Intrinsic functions in resources are resolved against one account and region; a value
another stack exports, or any other reference, is unknown: an unknown part makes an
Allow match (assume the grant reaches) and a Deny not match (a deny only counts where it
provably applies), so the simulation can only err towards "allowed".
"""

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

ACCOUNT, REGION, PARTITION = "123456789012", "ap-southeast-2", "aws"
UNKNOWN = "\x00unknown\x00"
_PSEUDO = {"AWS::AccountId": ACCOUNT, "AWS::Region": REGION, "AWS::Partition": PARTITION}


def resolve(value: Any) -> str:
    """A template value as text, with UNKNOWN where it cannot be known."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((function, argument),) = value.items()
        if function == "Ref" and argument in _PSEUDO:
            return _PSEUDO[argument]
        if function == "Fn::Join":
            separator, parts = argument
            return str(separator).join(resolve(p) for p in parts)
    return UNKNOWN


def _matches(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value.lower(), pattern.lower())


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@dataclass(frozen=True)
class Request:
    action: str
    resource: str
    context: Mapping[str, Sequence[str]]


def _resource_matches(pattern: str, resource: str, *, effect: str) -> bool:
    if UNKNOWN in pattern:
        known = pattern.replace(UNKNOWN, "*")
        return effect == "Allow" and _matches(known, resource)
    return _matches(pattern, resource)


def _string_matches(operator: str, value: str, patterns: list[str]) -> bool:
    if operator == "StringEquals":
        return value in patterns
    return any(fnmatch.fnmatchcase(value, p) for p in patterns)


def _condition_holds(condition: Mapping[str, Mapping[str, Any]], request: Request) -> bool:
    for operator, tests in condition.items():
        qualifier, _, base = operator.rpartition(":")
        if base not in ("StringEquals", "StringLike") or qualifier not in (
            "",
            "ForAnyValue",
            "ForAllValues",
        ):
            raise NotImplementedError(f"condition operator {operator}")
        for key, expected in tests.items():
            wanted = [str(v) for v in _listed(expected)]
            present = list(request.context.get(key, []))

            hits = [_string_matches(base, v, wanted) for v in present]
            if qualifier == "ForAllValues":
                ok = all(hits)
            elif qualifier == "ForAnyValue":
                ok = any(hits)
            else:
                ok = hits == [True]
            if not ok:
                return False
    return True


def _applies(statement: Mapping[str, Any], request: Request) -> bool:
    effect = statement["Effect"]
    if "NotAction" in statement or "NotResource" in statement:
        raise NotImplementedError("NotAction / NotResource")
    if not any(_matches(str(a), request.action) for a in _listed(statement["Action"])):
        return False
    resources = [resolve(r) for r in _listed(statement.get("Resource", "*"))]
    if not any(_resource_matches(r, request.resource, effect=effect) for r in resources):
        return False
    return _condition_holds(statement.get("Condition", {}), request)


def allowed(statements: Iterable[Mapping[str, Any]], request: Request) -> bool:
    found = list(statements)
    if any(s["Effect"] == "Deny" and _applies(s, request) for s in found):
        return False
    return any(s["Effect"] == "Allow" and _applies(s, request) for s in found)


def role_statements(template: Mapping[str, Any], role_id: str) -> list[dict[str, Any]]:
    """Every statement of the inline and attached (AWS::IAM::Policy) policies of a role of
    the template. Managed policies are AWS's logging/VPC ones: none touch DynamoDB or KMS."""
    resources = template["Resources"]
    found: list[dict[str, Any]] = []
    for policy in resources[role_id]["Properties"].get("Policies", []):
        found += _listed(policy["PolicyDocument"]["Statement"])
    for resource in resources.values():
        if resource["Type"] != "AWS::IAM::Policy":
            continue
        roles = resource["Properties"].get("Roles", [])
        if {"Ref": role_id} in roles:
            found += _listed(resource["Properties"]["PolicyDocument"]["Statement"])
    return found


def role_of_function(template: Mapping[str, Any], function_name_part: str) -> str:
    """The logical id of the role of the one function whose logical id contains the part."""
    matches = [
        (logical, resource)
        for logical, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function" and function_name_part in logical
    ]
    assert len(matches) == 1, [m[0] for m in matches]
    role = matches[0][1]["Properties"]["Role"]
    return str(role["Fn::GetAtt"][0])
