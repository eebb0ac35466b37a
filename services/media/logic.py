"""Who may upload and read which asset, and what a validated upload changes: a club's logo
(its admins), a ride's route and attachments (its managers; read by those who may see the
ride), a user's avatar (read by any signed-in user)."""

import re
from typing import Any

from media.schemas import AttachmentOut, ImageSizes, RouteOut, UploadTicket
from media.store import MediaStore
from media.urls import PRIVATE_URL_SECONDS, AssetUrls
from shared.adapters.media import MediaBucket
from shared.authz import AuthzContext, Capability, Principal, require
from shared.domain.clock import utc_now
from shared.domain.club import Club, existing_club
from shared.domain.enums import RideVisibility
from shared.domain.errors import Conflict, NotFound, Unprocessable
from shared.domain.media import (
    MAX_ATTACHMENTS,
    MAX_BYTES,
    PUBLISHED_TYPES,
    Attachment,
    RouteSummary,
    Upload,
    UploadKind,
    image_files,
    new_upload,
    public_route_key,
    published,
)
from shared.domain.ride import (
    MAX_CLIMB_M,
    MAX_DISTANCE_KM,
    MIN_DISTANCE_KM,
    Ride,
    existing_ride,
    figures_within_bounds,
)
from shared.flags import Flag, require_enabled

TICKET_SECONDS = 300


def _ride_context(ride: Ride) -> AuthzContext:
    return AuthzContext(club_id=ride.club_id, ride_visibility=ride.visibility)


def _announce(
    principal: Principal,
    kind: UploadKind,
    subject_id: str,
    content_type: str,
    store: MediaStore,
    bucket: MediaBucket,
) -> UploadTicket:
    require_enabled(Flag.MEDIA_UPLOADS, "Uploading files")
    upload = new_upload(kind, subject_id, principal.user_id, content_type)
    store.announce(upload)
    post = bucket.presigned_post(upload.key, content_type, MAX_BYTES[kind], TICKET_SECONDS)
    return UploadTicket(
        upload_id=upload.upload_id,
        url=post["url"],
        fields=post["fields"],
        max_bytes=MAX_BYTES[kind],
        expires_in=TICKET_SECONDS,
    )


def _published(store: MediaStore, upload_id: str, kind: UploadKind, subject_id: str) -> Upload:
    return published(store.upload(upload_id), kind, subject_id)


def _club(principal: Principal, club_id: str, store: MediaStore, capability: Capability) -> Club:
    club, mine = store.club_and_caller(club_id, principal.user_id)
    club = existing_club(club, club_id)
    require(capability, principal, mine, AuthzContext(club_id=club_id))
    return club


def image_sizes(prefix: str, urls: AssetUrls) -> ImageSizes:
    return ImageSizes(urls={key[len(prefix) :]: urls.public(key) for key in image_files(prefix)})


def logo_upload(
    principal: Principal, club_id: str, content_type: str, store: MediaStore, bucket: MediaBucket
) -> UploadTicket:
    _club(principal, club_id, store, Capability.EDIT_CLUB)
    return _announce(principal, UploadKind.CLUB_LOGO, club_id, content_type, store, bucket)


def confirm_logo(
    principal: Principal,
    club_id: str,
    upload_id: str,
    store: MediaStore,
    urls: AssetUrls,
    bucket: MediaBucket,
) -> ImageSizes:
    """Use the logo; the one it replaces is deleted (its versions expire in 30 days)."""
    club = _club(principal, club_id, store, Capability.EDIT_CLUB)
    upload = _published(store, upload_id, UploadKind.CLUB_LOGO, club_id)
    logo_key = upload.outputs[0].rsplit("/", 1)[0] + "/"
    if club.logo_key != logo_key:
        store.set_club_logo(club, logo_key, principal.user_id, utc_now())
        for old in image_files(club.logo_key) if club.logo_key else []:
            bucket.delete(old)
    return image_sizes(logo_key, urls)


def logo(principal: Principal, club_id: str, store: MediaStore, urls: AssetUrls) -> ImageSizes:
    club = _club(principal, club_id, store, Capability.VIEW_CLUB)
    if not club.logo_key:
        raise NotFound("The club has no logo yet.", code="logo_not_found")
    return image_sizes(club.logo_key, urls)


def _managed_ride(principal: Principal, ride_id: str, store: MediaStore) -> Ride:
    ride, mine = store.ride_and_caller(ride_id, principal.user_id)
    ride = existing_ride(ride, ride_id)
    require(Capability.MANAGE_RIDES, principal, mine, _ride_context(ride))
    return ride


def route_upload(
    principal: Principal, ride_id: str, store: MediaStore, bucket: MediaBucket
) -> UploadTicket:
    _managed_ride(principal, ride_id, store)
    return _announce(
        principal, UploadKind.RIDE_ROUTE, ride_id, "application/gpx+xml", store, bucket
    )


def _figures_of(route: RouteSummary, ride: Ride) -> dict[str, Any]:
    """The ride's distance and climbing from its route; a route without elevation leaves
    the ride's climbing as it was (the file says nothing about it). Figures no ride may
    have are refused, never written."""
    distance = max(MIN_DISTANCE_KM, route.distance_km)
    climbing = (
        ride.elevation_gain_m if route.elevation_gain_m is None else round(route.elevation_gain_m)
    )
    if not figures_within_bounds(distance, climbing):
        raise Unprocessable(
            f"The route's figures ({route.distance_km} km, {climbing} m climbing) are "
            f"outside what a ride may have (at most {MAX_DISTANCE_KM:g} km and "
            f"{MAX_CLIMB_M} m); attach it with keep_stats to keep the ride's.",
            code="route_figures_out_of_range",
        )
    return {"distance_km": distance, "elevation_gain_m": climbing}


def confirm_route(
    principal: Principal,
    ride_id: str,
    upload_id: str,
    keep_stats: bool,
    store: MediaStore,
    urls: AssetUrls,
    bucket: MediaBucket,
) -> RouteOut:
    """Attach the route; the ride's distance and climbing become the route's unless the
    leader keeps theirs."""
    ride = _managed_ride(principal, ride_id, store)
    upload = _published(store, upload_id, UploadKind.RIDE_ROUTE, ride_id)
    assert upload.route is not None
    key = upload.outputs[0]
    if ride.route_key != key:
        fields: dict[str, Any] = {
            "route_key": key,
            "route": upload.route.model_dump(mode="json"),
        }
        if not keep_stats:
            fields.update(_figures_of(upload.route, ride))
        store.update_ride(ride, fields, principal.user_id, utc_now())
        if ride.route_key:
            bucket.delete(ride.route_key)  # the route it replaces
    return RouteOut(route=upload.route, url=urls.private(key), expires_in=PRIVATE_URL_SECONDS)


def remove_route(
    principal: Principal, ride_id: str, store: MediaStore, bucket: MediaBucket
) -> None:
    ride = _managed_ride(principal, ride_id, store)
    if not ride.route_key:
        raise NotFound("The ride has no route.", code="route_not_found")
    store.update_ride(ride, {"route_key": None, "route": None}, principal.user_id, utc_now())
    bucket.delete(ride.route_key)  # its old versions expire with the bucket's lifecycle


def route(principal: Principal, ride_id: str, store: MediaStore, urls: AssetUrls) -> RouteOut:
    ride, mine = store.ride_and_caller(ride_id, principal.user_id)
    ride = existing_ride(ride, ride_id)
    require(Capability.VIEW_RIDE, principal, mine, _ride_context(ride))
    if not ride.route_key or ride.route is None:
        raise NotFound("The ride has no route.", code="route_not_found")
    return RouteOut(
        route=ride.route, url=urls.private(ride.route_key), expires_in=PRIVATE_URL_SECONDS
    )


def public_route_file(ride_id: str, store: MediaStore, urls: AssetUrls) -> str:
    """Where a public ride's GPX is (calendar apps follow the link in the ride's event):
    its copy served through CloudFront; members-only rides are not found here."""
    ride = store.ride(ride_id)
    if ride is None or ride.visibility is not RideVisibility.PUBLIC or not ride.route_key:
        raise NotFound("No public route for this ride.", code="route_not_found")
    return urls.public(public_route_key(ride.route_key))


def avatar(principal: Principal, user_id: str, store: MediaStore, urls: AssetUrls) -> ImageSizes:
    """A user's avatar in every size: what any signed-in user sees of them anyway."""
    require(Capability.LIST_CLUBS, principal)
    avatar_key = store.avatar_key(user_id)
    if not avatar_key:
        raise NotFound("No avatar for this user.", code="avatar_not_found")
    return image_sizes(avatar_key, urls)


# Ride attachments.


def _download_name(attachment: Attachment) -> str:
    """The title as a plain ASCII file name (it goes into a header), with its extension."""
    stem = re.sub(r"[^A-Za-z0-9 ._-]+", "", attachment.title).strip(" .") or "attachment"
    return f"{stem[:60]}.{attachment.key.rsplit('.', 1)[1]}"


def _attachment_out(attachment: Attachment, urls: AssetUrls) -> AttachmentOut:
    return AttachmentOut(
        **attachment.model_dump(exclude={"key", "added_by"}),
        url=urls.download(attachment.key, _download_name(attachment)),
        expires_in=PRIVATE_URL_SECONDS,
    )


def _room_for_one_more(ride: Ride) -> None:
    if len(ride.attachments) >= MAX_ATTACHMENTS:
        raise Conflict(
            f"A ride carries at most {MAX_ATTACHMENTS} attachments; remove one first.",
            code="too_many_attachments",
        )


def attachment_upload(
    principal: Principal, ride_id: str, content_type: str, store: MediaStore, bucket: MediaBucket
) -> UploadTicket:
    ride = _managed_ride(principal, ride_id, store)
    _room_for_one_more(ride)
    return _announce(principal, UploadKind.RIDE_ATTACHMENT, ride_id, content_type, store, bucket)


def confirm_attachment(
    principal: Principal,
    ride_id: str,
    upload_id: str,
    title: str,
    store: MediaStore,
    urls: AssetUrls,
) -> AttachmentOut:
    """Attach a checked upload under `title` (again: the title changes). The count is
    checked on the ride read, and the write is conditional on that read's version, so
    two managers attaching at once cannot pass the limit: one gets a 409."""
    ride = _managed_ride(principal, ride_id, store)
    upload = _published(store, upload_id, UploadKind.RIDE_ATTACHMENT, ride_id)
    others = [a for a in ride.attachments if a.attachment_id != upload_id]
    if len(others) == len(ride.attachments):
        _room_for_one_more(ride)
    key = upload.outputs[0]
    attachment = Attachment(
        attachment_id=upload_id,
        title=title,
        content_type=PUBLISHED_TYPES[key.rsplit(".", 1)[1]],
        key=key,
        size_bytes=upload.size_bytes or 0,
        added_by=principal.user_id,
        added_at=utc_now(),
    )
    fields = {"attachments": [a.model_dump(mode="json") for a in [*others, attachment]]}
    store.update_ride(ride, fields, principal.user_id, attachment.added_at)
    return _attachment_out(attachment, urls)


def attachments(
    principal: Principal, ride_id: str, store: MediaStore, urls: AssetUrls
) -> list[AttachmentOut]:
    ride, mine = store.ride_and_caller(ride_id, principal.user_id)
    ride = existing_ride(ride, ride_id)
    require(Capability.VIEW_RIDE, principal, mine, _ride_context(ride))
    return [_attachment_out(a, urls) for a in ride.attachments]


def remove_attachment(
    principal: Principal, ride_id: str, attachment_id: str, store: MediaStore, bucket: MediaBucket
) -> None:
    ride = _managed_ride(principal, ride_id, store)
    gone = next((a for a in ride.attachments if a.attachment_id == attachment_id), None)
    if gone is None:
        raise NotFound("The ride has no such attachment.", code="attachment_not_found")
    kept = [a.model_dump(mode="json") for a in ride.attachments if a is not gone]
    store.update_ride(ride, {"attachments": kept}, principal.user_id, utc_now())
    bucket.delete(gone.key)
