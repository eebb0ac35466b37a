"""A text field's document says exactly what its validator takes: the fuzzer once sent a
title of U+0085 alone, which the schema allowed (one character, no C0 control) and the
service refused (`str.strip()` removes it, leaving nothing). The patterns are read by
jsonschema-rs (the validator schemathesis judges its draws with; Python's `re` would let
`$` match before a trailing newline, which JSON Schema's ECMA-262 `$` does not) and by
Node's ECMA-262 engine (what a JavaScript client uses)."""

import json
import re
import subprocess
import sys
from typing import Annotated

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from shared.domain.text import LINE_BREAKING, LINE_SPACES, SPACES, Trimmed

pytestmark = pytest.mark.unit

FIELDS = [Trimmed(1, 80), Trimmed(2, 80), Trimmed(3, 120), Trimmed(3, 500, one_line=False)]
# Every character `str.strip()` removes, what ECMA-262 alone calls a space (U+FEFF), controls
# on both sides of the line rule, and ordinary letters.
ALPHABET = sorted(
    {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}
    | {"\ufeff", "\x00", "\x1b", "\x7f", "\x9f", "a", "Z", "é", "🚲", "-"}
)
TRICKY = [
    "\x85",
    " \x85 ",
    "\u3000",
    "\xa0a",
    "a\u2028b",
    "\ufeff",
    "ab",
    " ab ",
    "a b",
    "a\tb",
    "\u2003ab\u2003c\u2003",
    "  a  ",
    "a\nbc",
    "\n\nabc\r\n",
    "\ufeffab",
    "x" * 3,
    "",
    "Zed\n",
]


def _characters(class_body: str) -> set[str]:
    matcher = re.compile(f"[{class_body}]")
    return {chr(c) for c in range(sys.maxunicode + 1) if matcher.fullmatch(chr(c))}


def _accepted(field: Trimmed, text: str) -> bool:
    try:
        TypeAdapter(Annotated[str, field]).validate_python(text)
    except ValidationError:
        return False
    return True


def _document(field: Trimmed) -> dict[str, object]:
    return TypeAdapter(Annotated[str, field]).json_schema()


def test_the_spaces_are_what_strip_removes_and_a_line_holds() -> None:
    spaces = {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}

    assert _characters(SPACES) == spaces
    assert _characters(LINE_SPACES) == spaces - _characters(LINE_BREAKING)


@pytest.mark.parametrize("field", FIELDS, ids=repr)
@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(ALPHABET), max_size=8))
def test_the_document_takes_what_the_validator_takes(field: Trimmed, text: str) -> None:
    document_takes = jsonschema_rs.validator_for(_document(field)).is_valid(text)

    assert document_takes == _accepted(field, text), repr(text)


def test_an_ecma_reader_of_the_document_agrees(node: str) -> None:
    cases = [
        {"pattern": _document(field)["pattern"], "text": text, "python": _accepted(field, text)}
        for field in FIELDS
        for text in TRICKY
        if len(text) <= field.max_length
    ]
    program = (
        "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(cases.map(c => new RegExp(c.pattern).test(c.text))));"
    )

    answer = subprocess.run(
        [node, "-e", program], input=json.dumps(cases), capture_output=True, text=True, check=True
    )

    ecma = json.loads(answer.stdout)
    assert [(c["text"], c["python"]) for c in cases] == [
        (c["text"], e) for c, e in zip(cases, ecma, strict=True)
    ]
    assert any(c["python"] for c in cases) and not all(c["python"] for c in cases)


@pytest.fixture
def node() -> str:
    import shutil

    found = shutil.which("node")
    assert found, "node is needed (Node 20, as for the CDK)"
    return found
