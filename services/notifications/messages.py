"""Messages rendered from the templates in `templates/` with Jinja2.

Jinja2 files in the repository rather than SES templates: they are versioned and reviewed
with the code that fills them, rendered and tested without AWS, and the same text goes to
e-mail and push. The HTML environment autoescapes every value (club and ride names,
application messages and cancel reasons are user-supplied); the text one does not, since
plain text has nothing to escape. An unknown variable is an error, never an empty string.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from shared.domain.clock import CLUB_TIMEZONE
from shared.domain.notifications import Category

TEMPLATES = Path(__file__).resolve().parent / "templates"
PUSH_BODY_LIMIT = 180


class Kind(StrEnum):
    """Each kind of message, with a text and an HTML template of its name."""

    WELCOME = "welcome"
    APPLICATION_RECEIVED = "application_received"
    APPLICATION_APPROVED = "application_approved"
    APPLICATION_REJECTED = "application_rejected"
    ROLE_CHANGED = "role_changed"
    NEW_RIDE = "new_ride"
    RIDE_CHANGED = "ride_changed"
    RIDE_CANCELLED = "ride_cancelled"
    PROMOTED = "promoted"
    SERIES_PLACE = "series_place"
    EXPORT_READY = "export_ready"
    REMINDER = "reminder"
    WEBHOOK_DISABLED = "webhook_disabled"


CATEGORY_LABELS = {
    Category.MEMBERSHIP: "club membership news",
    Category.NEW_RIDES: "new ride announcements",
    Category.RIDE_CHANGES: "changes to your rides",
    Category.REMINDERS: "ride reminders",
    Category.WAITLIST: "waitlist updates",
    Category.REGULAR_RIDES: "your regular rides",
    Category.ACCOUNT: "your account",
    Category.CLUB_ADMIN: "club administration alerts",
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    push_title: str
    push_body: str


@cache
def _environment(html: bool) -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=html,
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )


def local_time(moment: datetime) -> str:
    """How riders read a start time: Sydney local, e.g. "Sat 6 Dec, 6:00 am"."""
    local = moment.astimezone(ZoneInfo(CLUB_TIMEZONE))
    hour = local.strftime("%I").lstrip("0")
    return f"{local:%a} {local.day} {local:%b}, {hour}:{local:%M} {local:%p}".replace(
        "AM", "am"
    ).replace("PM", "pm")


def render(kind: Kind, category: Category, values: dict[str, Any]) -> Rendered:
    context = {"category_label": CATEGORY_LABELS[category], **values}
    text = _environment(False).get_template(f"{kind}.txt").render(context)
    subject_line, _, body = text.partition("\n\n")
    # One line whatever a club or ride name holds: a line break in a header would be refused
    # (and, unchecked, would let a name inject headers).
    subject = " ".join(subject_line.removeprefix("Subject: ").split())
    html = _environment(True).get_template(f"{kind}.html").render({**context, "subject": subject})
    full_text = (
        f"Hi {context['recipient_name']},\n\n{body.strip()}\n\n--\n"
        f"You get this because of your notification settings on Sydney Cycling.\n"
        f"Stop these e-mails ({context['category_label']}): {context['unsubscribe_url']}\n"
    )
    push_body = body.strip()
    if len(push_body) > PUSH_BODY_LIMIT:
        push_body = push_body[: PUSH_BODY_LIMIT - 1].rstrip() + "…"
    return Rendered(subject, full_text, html, subject, push_body)
