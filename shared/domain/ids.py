"""The shapes of every id the API takes, as regular expressions for path and body checks.

Club and user ids are UUIDs; the others name their parents (`memberships` and `rides`
explain why), so each is a few UUIDs joined by `_`.
"""

import uuid

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
UUID_PATTERN = f"^{UUID}$"
# `{club_id}_{user_id}`
MEMBERSHIP_ID_PATTERN = f"^{UUID}_{UUID}$"
# `{club_id}_{uuid}`
RIDE_ID_PATTERN = f"^{UUID}_{UUID}$"
# `{ride_id}_{user_id}`
PARTICIPATION_ID_PATTERN = f"^{UUID}_{UUID}_{UUID}$"


def new_id() -> str:
    return str(uuid.uuid4())
