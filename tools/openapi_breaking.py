"""Breaking changes between two OpenAPI documents of this API, for CI: what would break a
client generated from the older one.

    python -m tools.openapi_breaking --base origin/main     # against a git ref's document
    python -m tools.openapi_breaking --base-file old.json   # against a file

Flags: a removed path or operation; a renamed operationId; a removed success answer; a
request body, parameter or property that became required or appeared as required; a
property or parameter whose type changed, or whose enum lost values (requests narrowed); a
response property removed or whose type changed. Additions that old clients can ignore are
not breaking. Written here rather than running oasdiff (a Go binary this project's
machines cannot fetch).
"""

import argparse
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

from tools.openapi import render

Document = dict[str, Any]


def _resolve(document: Document, schema: Any) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document.get("components", {}).get("schemas", {}).get(name, {})
    return schema


def _types(document: Document, schema: Any) -> set[str]:
    schema = _resolve(document, schema)
    if not isinstance(schema, dict):
        return set()
    found: set[str] = set()
    if "type" in schema:
        found.add(str(schema["type"]))
    for choice in schema.get("anyOf", []) + schema.get("oneOf", []):
        found |= _types(document, choice)
    return found


def _enum(document: Document, schema: Any) -> set[str] | None:
    schema = _resolve(document, schema)
    if isinstance(schema, dict) and "enum" in schema:
        return {json.dumps(v) for v in schema["enum"]}
    return None


def _compare_schema(
    old_doc: Document,
    old: Any,
    new_doc: Document,
    new: Any,
    where: str,
    *,
    request: bool,
    depth: int = 0,
) -> Iterator[str]:
    if depth > 6:
        return
    old, new = _resolve(old_doc, old), _resolve(new_doc, new)
    if not isinstance(old, dict) or not isinstance(new, dict):
        return
    old_types, new_types = _types(old_doc, old), _types(new_doc, new)
    # A request may no longer take what it took (narrowed); a response may answer what
    # old clients do not expect (widened).
    changed = not old_types <= new_types if request else not new_types <= old_types
    if old_types and new_types and changed:
        yield f"{where}: type {sorted(old_types)} -> {sorted(new_types)}"
    if request:
        yield from _narrowed_bounds(old, new, where)
    old_enum, new_enum = _enum(old_doc, old), _enum(new_doc, new)
    if request and old_enum is not None and new_enum is not None and not old_enum <= new_enum:
        yield f"{where}: enum lost {sorted(old_enum - new_enum)}"
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    if request:
        added_required = set(new.get("required", [])) - set(old.get("required", []))
        for name in sorted(added_required):
            yield f"{where}: property '{name}' is now required"
    else:
        for name in sorted(set(old_props) - set(new_props)):
            yield f"{where}: response property '{name}' removed"
    for name in sorted(set(old_props) & set(new_props)):
        yield from _compare_schema(
            old_doc,
            old_props[name],
            new_doc,
            new_props[name],
            f"{where}.{name}",
            request=request,
            depth=depth + 1,
        )
    for key in ("items",):
        if key in old and key in new:
            yield from _compare_schema(
                old_doc, old[key], new_doc, new[key], f"{where}[]", request=request, depth=depth + 1
            )


_UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems")
_LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems")


def _narrowed_bounds(old: dict[str, Any], new: dict[str, Any], where: str) -> Iterator[str]:
    """A request limit that appeared or tightened refuses what was accepted."""
    for key in _UPPER:
        if key in new and (key not in old or new[key] < old[key]):
            yield f"{where}: {key} {old.get(key, 'none')} -> {new[key]}"
    for key in _LOWER:
        if key in new and (key not in old or new[key] > old[key]):
            yield f"{where}: {key} {old.get(key, 'none')} -> {new[key]}"


def _json_schema(operation_part: Any) -> Any:
    return ((operation_part or {}).get("content") or {}).get("application/json", {}).get("schema")


def breaking_changes(old: Document, new: Document) -> list[str]:
    found: list[str] = []
    for path, old_item in old.get("paths", {}).items():
        new_item = new.get("paths", {}).get(path)
        if new_item is None:
            found.append(f"{path}: path removed")
            continue
        for method, old_op in old_item.items():
            where = f"{method.upper()} {path}"
            new_op = new_item.get(method)
            if new_op is None:
                found.append(f"{where}: operation removed")
                continue
            # Generated clients name their methods after it: a rename breaks their code.
            if old_op.get("operationId") != new_op.get("operationId"):
                found.append(
                    f"{where}: operationId {old_op.get('operationId')} -> "
                    f"{new_op.get('operationId')}"
                )
            for status, answer in old_op.get("responses", {}).items():
                if str(status).startswith("2") and status not in new_op.get("responses", {}):
                    found.append(f"{where}: success answer {status} removed")
                    continue
                if str(status).startswith("2"):
                    found += _compare_schema(
                        old,
                        _json_schema(answer),
                        new,
                        _json_schema(new_op["responses"][status]),
                        f"{where} -> {status}",
                        request=False,
                    )
            old_body, new_body = old_op.get("requestBody"), new_op.get("requestBody")
            if new_body and new_body.get("required") and not (old_body or {}).get("required"):
                found.append(f"{where}: request body is now required")
            if old_body and new_body:
                found += _compare_schema(
                    old,
                    _json_schema(old_body),
                    new,
                    _json_schema(new_body),
                    f"{where} body",
                    request=True,
                )
            old_params = {(p["in"], p["name"]): p for p in old_op.get("parameters", [])}
            for param in new_op.get("parameters", []):
                key = (param["in"], param["name"])
                before = old_params.get(key)
                if param.get("required") and (before is None or not before.get("required")):
                    found.append(
                        f"{where}: {param['in']} parameter '{param['name']}' is now required"
                    )
                if before is not None:
                    found += _compare_schema(
                        old,
                        before.get("schema"),
                        new,
                        param.get("schema"),
                        f"{where} {param['in']} {param['name']}",
                        request=True,
                    )
    return found


def committed_document(ref: str) -> Document:
    shown = subprocess.run(
        ["git", "show", f"{ref}:docs/openapi.json"], capture_output=True, text=True, check=True
    )
    document: Document = json.loads(shown.stdout)
    return document


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.openapi_breaking",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--base", help="a git ref whose docs/openapi.json is the baseline")
    source.add_argument("--base-file", help="a baseline document on disk")
    args = parser.parse_args(argv)
    if args.base_file:
        with open(args.base_file) as handle:
            old = json.load(handle)
    else:
        old = committed_document(args.base)
    changes = breaking_changes(old, json.loads(render()))
    for change in changes:
        print(f"BREAKING {change}")
    print(f"{len(changes)} breaking change(s) against the baseline")
    return 1 if changes else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
