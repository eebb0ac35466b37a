"""Text rules shared by the request models: what the OpenAPI document says a text field takes
is what the service accepts, character for character."""

from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

# The spaces a line may hold, and what one line refuses: C0 and C1 controls, DEL, and the
# line and paragraph separators (U+0085 and U+2028/9 break lines too). Names and titles end
# up in e-mail headers, push titles and calendar lines, where a line break would be refused
# or inject a header.
LINE_SPACES = r" \xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
LINE_BREAKING = r"\x00-\x1f\x7f-\x9f\u2028\u2029"
ONE_LINE = f"^[^{LINE_BREAKING}]*$"
# What `str.strip()` removes (`str.isspace`), spelled out: JSON Schema's `\s` (ECMA-262) is
# another set (it holds U+FEFF and lacks U+001C-U+001F and U+0085).
SPACES = LINE_SPACES + r"\t\n\v\f\r\x1c-\x1f\x85\u2028\u2029"


def at_least_pattern(min_length: int, *, one_line: bool) -> str:
    """A pattern of the texts that keep `min_length` characters once stripped: spaces, a
    visible character, anything, a visible character, spaces."""
    if one_line:
        spaces, visible, anything = (
            f"[{LINE_SPACES}]",
            f"[^{LINE_BREAKING}{LINE_SPACES}]",
            f"[^{LINE_BREAKING}]",
        )
    else:
        spaces, visible, anything = f"[{SPACES}]", f"[^{SPACES}]", r"[\s\S]"
    if min_length <= 1:
        return f"^{spaces}*{visible}{anything}*$"
    middle = "*" if min_length == 2 else f"{{{min_length - 2},}}"
    return f"^{spaces}*{visible}{anything}{middle}{visible}{spaces}*$"


@dataclass(frozen=True)
class Trimmed:
    """A text field (`Annotated[str, Trimmed(1, 80)]`): judged as the client sent it (at most
    `max_length`, one line unless `one_line=False`), then surrounding spaces removed, with
    at least `min_length` characters left. The document states all of it, the last as a
    pattern (the validator's own error message is kinder than a pattern's)."""

    min_length: int
    max_length: int
    one_line: bool = True

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        sent = core_schema.str_schema(
            min_length=self.min_length,
            max_length=self.max_length,
            pattern=ONE_LINE if self.one_line else None,
        )
        return core_schema.no_info_after_validator_function(self._trim, sent)

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        document = handler(schema)
        document["pattern"] = at_least_pattern(self.min_length, one_line=self.one_line)
        return document

    def _trim(self, value: str) -> str:
        value = value.strip()
        if len(value) < self.min_length:
            raise ValueError(f"at least {self.min_length} characters besides surrounding spaces")
        return value
