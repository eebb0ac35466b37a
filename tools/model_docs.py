"""docs/model.md from the code: the domain's entities and states, who holds which
capability, and every item kind of the table with its keys. `make model-docs` writes it; a
unit test fails when the committed page and the code disagree.

Usage: python -m tools.model_docs docs/model.md
"""

import inspect
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

from shared.authz.capabilities import (
    AuthzContext,
    Capability,
    MembershipView,
    Principal,
    capabilities,
)
from shared.domain import enums
from shared.domain.club import Club
from shared.domain.membership import Membership
from shared.domain.model import Model
from shared.domain.ride import Participation, Ride
from shared.domain.user import UserProfile
from shared.store import keys
from shared.store.schema import GLOBAL_INDEXES

ENTITIES: tuple[type[Model], ...] = (UserProfile, Club, Membership, Ride, Participation)
ME = "me"
CLUB = "club"
# (who, their SystemRole, their membership of the club in context: role and status)
PERSONAS: tuple[
    tuple[str, enums.SystemRole, tuple[enums.ClubRole, enums.MembershipStatus] | None], ...
] = (
    ("SiteAdmin, not a member", enums.SystemRole.SITE_ADMIN, None),
    ("User, not a member", enums.SystemRole.USER, None),
    *(
        (f"{role.value}, {status.value}", enums.SystemRole.USER, (role, status))
        for role in enums.ClubRole
        for status in enums.MembershipStatus
        if status is enums.MembershipStatus.ACTIVE or role is enums.ClubRole.MEMBER
    ),
)


def _first_line(thing: object) -> str:
    """The first paragraph of its own docstring (not one inherited)."""
    own = thing.__dict__.get("__doc__") if isinstance(thing, type) else thing.__doc__
    return inspect.cleandoc(own or "").split("\n\n")[0].replace("\n", " ")


def _type(annotation: Any) -> str:
    plain = isinstance(annotation, type) and not getattr(annotation, "__args__", None)
    text = annotation.__name__ if plain else str(annotation)
    for module in ("typing.", "datetime.", "shared.domain.", "enums.", "user.", "ride.", "club."):
        text = text.replace(module, "")
    return text.replace("|", "\\|")  # a pipe would end the table's cell


def entities() -> list[str]:
    lines = ["## Entities", ""]
    for model in ENTITIES:
        lines += [f"### {model.__name__}", "", _first_line(model), "", "| Field | Type |"]
        lines += ["| --- | --- |"]
        lines += [
            f"| `{name}` | `{_type(f.annotation)}` |" for name, f in model.model_fields.items()
        ]
        lines.append("")
    return lines


def states() -> list[str]:
    lines = ["## States and categories", ""]
    for _, kind in inspect.getmembers(enums, inspect.isclass):
        if issubclass(kind, StrEnum) and kind.__module__ == enums.__name__:
            values = ", ".join(f"`{member.value}`" for member in kind)
            lines.append(f"- **{kind.__name__}**: {values}. {_first_line(kind)}")
    return [*lines, ""]


def _held(system_role: enums.SystemRole, membership: Any) -> frozenset[Capability]:
    principal = Principal(ME, system_role)
    view = MembershipView(CLUB, ME, *membership) if membership else None
    context = AuthzContext(club_id=CLUB, ride_visibility=enums.RideVisibility.MEMBERS)
    return capabilities(principal, view, context)


def capability_table() -> list[str]:
    lines = [
        "## Capabilities",
        "",
        "What each caller holds in a club (`shared/authz/capabilities.py`), asked about a",
        "members-only ride of that club; `view_ride` of a public ride is everyone's, and",
        "`withdraw` is held on one's own place only.",
        "",
        "| Caller | " + " | ".join(f"`{c.value}`" for c in Capability) + " |",
        "| --- |" + " --- |" * len(Capability),
    ]
    for who, system_role, membership in PERSONAS:
        held = _held(system_role, membership)
        marks = " | ".join("yes" if c in held else "" for c in Capability)
        lines.append(f"| {who} | {marks} |")
    return [*lines, ""]


class _Placeholder(str):
    """A parameter's name in braces, which a key builder may also slice (`word[:2]`)."""

    def __getitem__(self, index: Any) -> "_Placeholder":
        name = str.__getitem__(self, slice(1, -1))
        if isinstance(index, slice):
            start = "" if index.start is None else index.start
            stop = "" if index.stop is None else index.stop
            return _Placeholder(f"{{{name}[{start}:{stop}]}}")
        return _Placeholder(f"{{{name}[{index}]}}")


def _placeholders(function: Any) -> list[str]:
    return [_Placeholder(f"{{{name}}}") for name in inspect.signature(function).parameters]


def items() -> list[str]:
    lines = [
        "## Items of the table",
        "",
        "Every key builder of `shared/store/keys.py`, called with its parameters' names.",
        "",
        "| Builder | PK | SK | What it is |",
        "| --- | --- | --- | --- |",
    ]
    for name, function in inspect.getmembers(keys, inspect.isfunction):
        if function.__module__ != keys.__name__ or not name.endswith("_key"):
            continue
        key = function(*_placeholders(function))
        lines.append(f"| `{name}` | `{key['PK']}` | `{key['SK']}` | {_first_line(function)} |")
    site_admins = keys.SITE_ADMINS_KEY
    lines.append(
        f"| `SITE_ADMINS_KEY` | `{site_admins['PK']}` | `{site_admins['SK']}` | "
        "How many SiteAdmins there are (the last one cannot be demoted). |"
    )
    lines += ["", "| Index key | Value | What it lists |", "| --- | --- | --- |"]
    for name, function in inspect.getmembers(keys, inspect.isfunction):
        if function.__module__ == keys.__name__ and name.endswith(("_pk", "_sk")):
            value = function(*_placeholders(function))
            lines.append(f"| `{name}` | `{value}` | {_first_line(function)} |")
    indexes = ", ".join(f"{i.name} ({i.partition_key}/{i.sort_key})" for i in GLOBAL_INDEXES)
    return [
        *lines,
        "",
        f"Global indexes: {indexes}. Besides these items, the API's idempotency records",
        "(`shared/api/idempotency.py`, Powertools) live under `IDEMPOTENCY#` partitions and",
        "expire by TTL.",
        "",
    ]


def render() -> str:
    lines = [
        "# The domain model, from the code",
        "",
        "Generated by `make model-docs` (`tools/model_docs.py`); the rules that hold these",
        "together, with their tests, are in [domain.md](domain.md), the events in",
        "[events.md](events.md).",
        "",
        *entities(),
        *states(),
        *capability_table(),
        *items(),
    ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    Path(argv[0]).write_text(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
