"""Keeps the CloudFront-served copies of routes in step with rides: a public ride's route
has a copy under `public/routes/{ride_id}/`; a members-only ride's (or a removed route)
has none. It hears `ride_updated` (a route attached, replaced or removed; the visibility
changed) and makes the folder match the ride as read now, so events out of order or twice
end in the same place."""

from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from media.dependencies import get_bucket, get_store
from media.store import MediaStore
from shared.adapters.media import MediaBucket
from shared.batch import batch_handler, domain_event
from shared.domain.enums import RideVisibility
from shared.domain.media import PUBLISHED_TYPES, public_route_key, public_route_prefix
from shared.observability import logger

# What a ride change must touch for its public copy to change.
RELEVANT = frozenset({"route_key", "visibility"})
# Short, so that a ride made members-only stops being served from edge caches within
# minutes of its copy being deleted.
PUBLIC_ROUTE_CACHE = "public, max-age=300"


def publish_route(ride_id: str, store: MediaStore, bucket: MediaBucket) -> list[str]:
    """Make the ride's public route folder match the ride; the keys it now holds."""
    ride = store.ride(ride_id)
    wanted = None
    if ride is not None and ride.route_key and ride.visibility is RideVisibility.PUBLIC:
        wanted = public_route_key(ride.route_key)
    present = bucket.keys(public_route_prefix(ride_id))
    for key in present:
        if key != wanted:
            bucket.delete(key)
    if wanted and wanted not in present:
        assert ride is not None and ride.route_key
        bucket.copy(
            ride.route_key, wanted, content_type=PUBLISHED_TYPES["gpx"], cache=PUBLIC_ROUTE_CACHE
        )
    return [wanted] if wanted else []


def _record_handler(record: SQSRecord) -> None:
    event = domain_event(record)
    changed = set(event.data.get("changed") or ())
    ride_id = event.data.get("ride_id")
    if event.event_type != "ride_updated" or not changed & RELEVANT or not isinstance(ride_id, str):
        return
    published = publish_route(ride_id, get_store(), get_bucket())
    logger.info("public route in step", extra={"ride_id": ride_id, "public": bool(published)})


handler = batch_handler(_record_handler)
