"""Key builders for every item kind in the single table. All keys are made here."""

CLUB_PREFIX = "CLUB#"
USER_PREFIX = "USER#"
CLUB_METADATA = "METADATA"
CLUB_NAME_PREFIX = "CLUBNAME#"
MEMBER_PREFIX = "MEMBER#"
CLUB_DIRECTORY_PREFIX = "CLUBS#"


def club_key(club_id: str) -> dict[str, str]:
    """A club."""
    return {"PK": club_partition(club_id), "SK": CLUB_METADATA}


def club_name_key(name_key: str) -> dict[str, str]:
    """The item that reserves a club name; its existence makes names unique."""
    return {"PK": f"{CLUB_NAME_PREFIX}{name_key}", "SK": CLUB_NAME_PREFIX.rstrip("#")}


def club_directory_pk(status: str) -> str:
    """GSI1 partition listing the clubs of one status, sorted by name."""
    return f"{CLUB_DIRECTORY_PREFIX}{status}"


def club_directory_sk(name_key: str, club_id: str) -> str:
    """GSI1 sort key: a club in the directory, by its name."""
    # The id breaks ties so two items never share a sort key.
    return f"NAME#{name_key}#{club_id}"


def club_places_pk(level: str, cell: str) -> str:
    """The clubs whose home lies in one grid cell of one level (`shared/domain/geo.py`)."""
    return f"CLUBSNEAR#{level}#{cell}"


def club_place_key(level: str, cell: str, club_id: str) -> dict[str, str]:
    """A club's entry in the cell of its home, with what discovery filters on."""
    return {"PK": club_places_pk(level, cell), "SK": f"{CLUB_PREFIX}{club_id}"}


def club_words_pk(word: str) -> str:
    """The name words that begin with the word's first two characters."""
    return f"CLUBWORD#{word[:2]}"


def club_word_key(word: str, club_id: str) -> dict[str, str]:
    """One word of a club's name (`shared/domain/club.py::search_words`), for `q`."""
    return {"PK": club_words_pk(word), "SK": f"{word}#{club_id}"}


def club_partition(club_id: str) -> str:
    """The partition holding a club's item and its memberships."""
    return f"{CLUB_PREFIX}{club_id}"


def club_stats_pk(club_id: str) -> str:
    """The partition of a club's statistics, one item per Sydney day."""
    return f"{club_partition(club_id)}#STATS"


def club_stats_key(club_id: str, day: str) -> dict[str, str]:
    """A club's tallies of one Sydney day (`shared/domain/club_stats.py`)."""
    return {"PK": club_stats_pk(club_id), "SK": day}


def membership_key(club_id: str, user_id: str) -> dict[str, str]:
    """A user's membership of a club, in the club's partition."""
    return {"PK": club_partition(club_id), "SK": f"{MEMBER_PREFIX}{user_id}"}


def user_memberships_pk(user_id: str) -> str:
    """GSI1 partition listing a user's memberships across clubs."""
    return f"{USER_PREFIX}{user_id}"


def user_memberships_sk(club_id: str) -> str:
    """GSI1 sort key: one club among a user's memberships."""
    return club_partition(club_id)


def user_key(user_id: str) -> dict[str, str]:
    """A user's profile."""
    return {"PK": f"{USER_PREFIX}{user_id}", "SK": "PROFILE"}


# The platform's SiteAdmin count, moved in the same transaction as any role change.
SITE_ADMINS_KEY = {"PK": "PLATFORM", "SK": "SITE_ADMINS"}
SYSTEM_ROLE_PREFIX = "ROLE#"
# Partitions that hold authority (who is SiteAdmin, and how many): only the users API and
# the operators' bootstrap may write them; IAM denies every other role (stacks/item_guard.py).
AUTHORITY_PREFIXES = (SYSTEM_ROLE_PREFIX, SITE_ADMINS_KEY["PK"])


def system_role_key(user_id: str) -> dict[str, str]:
    """A SiteAdmin's role, the item the pre-token trigger puts into ID tokens (absent: a
    rider). In a partition of its own, apart from the profile that many functions may
    touch, so IAM can hold every other function away from it by its partition key."""
    return {"PK": f"{SYSTEM_ROLE_PREFIX}{user_id}", "SK": "SYSTEM_ROLE"}


# How long an applied-event marker is kept (TTL from the event's time): longer than any
# queue keeps a message, so a redelivery always finds it; an archive replay of events older
# than this would apply them again (`ops/replay.py` refuses one into the Counts rule).
APPLIED_EVENT_KEPT_SECONDS = 14 * 24 * 3600


def applied_event_key(event_id: str) -> dict[str, str]:
    """The marker of a domain event a consumer has applied (its idempotency record)."""
    return {"PK": f"EVENT#{event_id}", "SK": "APPLIED"}


RIDE_PREFIX = "RIDE#"
PARTICIPANT_PREFIX = "PARTICIPANT#"


def ride_key(ride_id: str) -> dict[str, str]:
    """A ride (its participations share its partition)."""
    # The ride lives in its own partition with its participations: one consistent Query
    # reads a ride with everyone on it.
    return {"PK": f"{RIDE_PREFIX}{ride_id}", "SK": "RIDE"}


def participation_key(ride_id: str, user_id: str) -> dict[str, str]:
    """A user's place on a ride, in the ride's partition."""
    return {"PK": f"{RIDE_PREFIX}{ride_id}", "SK": f"{PARTICIPANT_PREFIX}{user_id}"}


def club_rides_pk(club_id: str) -> str:
    """GSI2 partition of a club's rides, sorted by start time."""
    return f"{club_partition(club_id)}#RIDES"


def ride_start_sk(start_at_utc: str, ride_id: str) -> str:
    """GSI2 sort key: a ride by its start time (UTC); also GSI1's in a rider's schedule."""
    return f"{start_at_utc}#{ride_id}"


def ride_places_pk(level: str, cell: str) -> str:
    """The scheduled rides whose meeting point lies in one grid cell of one level, by start
    (`shared/domain/geo.py`; sort key `ride_start_sk`)."""
    return f"RIDESNEAR#{level}#{cell}"


def ride_discovery_key(ride_id: str) -> dict[str, str]:
    """Which discovery entries a ride has now, and the versions they were filed from, in
    the ride's partition."""
    return {"PK": f"{RIDE_PREFIX}{ride_id}", "SK": "DISCOVERY"}


def user_rides_pk(user_id: str) -> str:
    """GSI1 partition of a rider's schedule: their participations that take part (joined
    or waitlisted), sorted by the ride's start (`ride_start_sk`). Apart from the rider's
    memberships (`user_memberships_pk`), which share GSI1."""
    return f"{USER_PREFIX}{user_id}#RIDES"


def calendar_feed_key(token_hash: str) -> dict[str, str]:
    """A rider's personal calendar feed, found by a hash of its URL's secret token (the
    token itself is never stored)."""
    return {"PK": f"CALFEED#{token_hash}", "SK": "FEED"}


def user_calendar_feed_key(user_id: str) -> dict[str, str]:
    """Which feed token a rider has now (its hash), in the user's partition: rotating or
    revoking it deletes the old token's item in the same transaction."""
    return {"PK": f"{USER_PREFIX}{user_id}", "SK": "CALFEED"}


def preferences_key(user_id: str) -> dict[str, str]:
    """A user's notification preferences (absent: the defaults)."""
    return {"PK": f"{USER_PREFIX}{user_id}", "SK": "NOTIFY#PREFERENCES"}


DEVICE_PREFIX = "DEVICE#"


def device_key(user_id: str, device_id: str) -> dict[str, str]:
    """A phone registered for push notifications, in the user's partition."""
    return {"PK": f"{USER_PREFIX}{user_id}", "SK": f"{DEVICE_PREFIX}{device_id}"}


def device_count_key(user_id: str) -> dict[str, str]:
    """How many devices a user has: moved in the same transaction as every device, so the
    limit holds under concurrent registrations."""
    return {"PK": f"{USER_PREFIX}{user_id}", "SK": "DEVICES"}


def push_token_key(token_ref: str) -> dict[str, str]:
    """Which account a phone's push token belongs to now (`token_ref` is a hash of the
    platform and token; the token itself is kept by SNS only). A phone has one owner."""
    return {"PK": f"PUSHTOKEN#{token_ref}", "SK": "OWNER"}


def user_deliveries_pk(user_id: str) -> str:
    """GSI1 partition of the delivery records of one recipient (their deletion finds them)."""
    return f"{USER_PREFIX}{user_id}#DELIVERIES"


def idempotency_pk(user_id: str) -> str:
    """The partition of one caller's idempotency records (`shared/api/idempotency.py`): a
    caller's retries find them, and their account's deletion removes them."""
    return f"IDEMPOTENCY#{user_id}"


def delivery_key(event_id: str, user_id: str, channel: str) -> dict[str, str]:
    """The record that a notification for an event went to a user on a channel (at most
    once per event, recipient and channel; it expires by TTL)."""
    return {"PK": f"DELIVERY#{event_id}", "SK": f"{user_id}#{channel}"}


WEBHOOK_PREFIX = "WEBHOOK#"


def webhook_key(club_id: str, webhook_id: str) -> dict[str, str]:
    """A club's webhook, in the club's partition (a club's webhooks are one Query)."""
    return {"PK": club_partition(club_id), "SK": f"{WEBHOOK_PREFIX}{webhook_id}"}


def webhook_deliveries_pk(webhook_id: str) -> str:
    """The partition of one webhook's delivery log."""
    return f"{WEBHOOK_PREFIX}{webhook_id}"


def webhook_delivery_key(webhook_id: str, occurred_at: str, event_id: str) -> dict[str, str]:
    """One event's delivery to one webhook; sorted by the event's time for the log."""
    return {"PK": webhook_deliveries_pk(webhook_id), "SK": f"DELIVERY#{occurred_at}#{event_id}"}


STRAVA_PREFIX = "STRAVA#"


def strava_link_key(user_id: str) -> dict[str, str]:
    """A rider's Strava link (sealed tokens), in the user's partition."""
    return {"PK": f"{USER_PREFIX}{user_id}", "SK": f"{STRAVA_PREFIX}LINK"}


def strava_athlete_key(athlete_id: int) -> dict[str, str]:
    """Which rider a Strava athlete is (push events name athletes); one rider per athlete."""
    return {"PK": f"{STRAVA_PREFIX}ATHLETE#{athlete_id}", "SK": "LINK"}


def strava_state_key(nonce: str) -> dict[str, str]:
    """An OAuth state issued and not yet used (it expires by TTL)."""
    return {"PK": f"{STRAVA_PREFIX}STATE#{nonce}", "SK": "STATE"}


def strava_activity_key(activity_id: int) -> dict[str, str]:
    """Which participation a Strava activity was matched to (to undo it on delete)."""
    return {"PK": f"{STRAVA_PREFIX}ACTIVITY#{activity_id}", "SK": "MATCH"}


def strava_event_key(object_type: str, object_id: int, change: str) -> dict[str, str]:
    """A push event already taken as a hint (it expires by TTL): repeats of the same change
    to the same object within the window cost nothing."""
    return {"PK": f"{STRAVA_PREFIX}EVENT#{object_type}#{object_id}", "SK": change}


def strava_budget_key(athlete_id: int, window: int) -> dict[str, str]:
    """Strava reads spent on one athlete's push events in one 15-minute window."""
    return {"PK": f"{STRAVA_PREFIX}BUDGET#{athlete_id}", "SK": str(window)}


def upload_key(upload_id: str) -> dict[str, str]:
    """An announced upload and what its validation decided (it expires by TTL)."""
    return {"PK": f"UPLOAD#{upload_id}", "SK": "UPLOAD"}


SERIES_PREFIX = "SERIES#"
REGULAR_PREFIX = "REGULAR#"
# GSI1 partition of the active series, by the next occurrence date they will make: the
# hourly job reads only the series due within the horizon (decision 35).
SERIES_DUE_PK = "SERIESDUE"


def series_key(series_id: str) -> dict[str, str]:
    """A ride series (its regulars share its partition)."""
    return {"PK": f"{SERIES_PREFIX}{series_id}", "SK": "SERIES"}


def regular_key(series_id: str, user_id: str) -> dict[str, str]:
    """A rider who joins every new occurrence of the series."""
    return {"PK": f"{SERIES_PREFIX}{series_id}", "SK": f"{REGULAR_PREFIX}{user_id}"}


def club_series_pk(club_id: str) -> str:
    """GSI2 partition of a club's series, by first date."""
    return f"{club_partition(club_id)}#SERIES"


def series_due_sk(next_date: str, series_id: str) -> str:
    return f"{next_date}#{series_id}"


AUDIT_PREFIX = "AUDIT#"


def audit_pk(scope: str) -> str:
    """A club's audit log (or the platform's), newest last by sort key."""
    return f"{AUDIT_PREFIX}{scope}"


def audit_key(scope: str, occurred_at: str, entry_id: str) -> dict[str, str]:
    """One entry of an audit log, by the time of the change."""
    return {"PK": audit_pk(scope), "SK": f"{occurred_at}#{entry_id}"}


def audit_subject_pk(scope: str, subject_id: str) -> str:
    """GSI1 partition of one subject's entries in a log (`?subject=`), by time."""
    return f"{AUDIT_PREFIX}{scope}#{subject_id}"


def account_deletion_key(user_id: str) -> dict[str, str]:
    """A request to delete the account, and how far its deletion has come."""
    return {"PK": f"{USER_PREFIX}{user_id}", "SK": "DELETION"}


# GSI1 partition of the accounts whose deletion was asked for, by when: the API refuses
# the tokens they still hold (`shared/api/revoked_accounts.py`).
DELETED_ACCOUNTS_PK = "DELETEDACCOUNTS"


def deleted_account_sk(requested_at: str, user_id: str) -> str:
    return f"{requested_at}#{user_id}"


def suppressed_email_key(address_hash: str) -> dict[str, str]:
    """A deleted account's suppressed e-mail address, kept only as a one-way hash."""
    return {"PK": f"SUPPRESSED#{address_hash}", "SK": "EMAIL"}


def user_regulars_pk(user_id: str) -> str:
    """GSI1 partition of a rider's regular places on ride series."""
    return f"{USER_PREFIX}{user_id}#REGULARS"


EXPORT_PREFIX = "EXPORT#"


def data_export_key(user_id: str, day: str) -> dict[str, str]:
    """A rider's export of one day (one a day), in the user's partition."""
    return {"PK": f"{USER_PREFIX}{user_id}", "SK": f"{EXPORT_PREFIX}{day}"}
