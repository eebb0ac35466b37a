"""Text rules shared by the request models."""

# One line of text: no control characters. Names and titles end up in e-mail headers, push
# titles and calendar lines, where a line break would be refused or inject a header.
ONE_LINE = r"^[^\x00-\x1f\x7f]*$"
