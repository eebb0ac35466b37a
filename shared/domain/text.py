"""Text rules shared by the request models."""

from pydantic import AfterValidator

# One line of text: no control characters. Names and titles end up in e-mail headers, push
# titles and calendar lines, where a line break would be refused or inject a header.
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"


def trimmed(min_length: int) -> AfterValidator:
    """Surrounding spaces removed after the field's own constraints, which therefore judge
    what the client sent, as the OpenAPI document says (pydantic's `strip_whitespace`
    strips first, and so accepted a name ending in a tab that `ONE_LINE` forbids). What is
    left must still be `min_length` long."""

    def trim(value: str) -> str:
        value = value.strip()
        if len(value) < min_length:
            raise ValueError(f"at least {min_length} characters besides surrounding spaces")
        return value

    return AfterValidator(trim)
