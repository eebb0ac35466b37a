"""Who may upload and read which asset, and what a validated upload changes: a club's logo
(its admins), a ride's route (its managers; read by those who may see the ride)."""

from typing import Any

from media.schemas import LogoOut, RouteOut, UploadTicket
from media.store import MediaStore
from media.urls import PRIVATE_URL_SECONDS, AssetUrls
from shared.adapters.media import MediaBucket
from shared.authz import AuthzContext, Capability, Principal, require
from shared.domain.clock import utc_now
from shared.domain.club import Club, existing_club
from shared.domain.enums import RideVisibility
from shared.domain.errors import NotFound
from shared.domain.ids import new_id
from shared.domain.media import (
    ACCEPTED_TYPES,
    LOGO_FORMATS,
    LOGO_SIZES,
    MAX_BYTES,
    Upload,
    UploadKind,
    image_files,
    incoming_key,
    published,
)
from shared.domain.ride import Ride

TICKET_SECONDS = 300


def _ride_context(ride: Ride) -> AuthzContext:
    return AuthzContext(club_id=ride.club_id, ride_visibility=ride.visibility)


def _existing_ride(ride: Ride | None, ride_id: str) -> Ride:
    if ride is None:
        raise NotFound(f"No ride with id '{ride_id}'.", code="ride_not_found")
    return ride


def _announce(
    principal: Principal,
    kind: UploadKind,
    subject_id: str,
    content_type: str,
    store: MediaStore,
    bucket: MediaBucket,
) -> UploadTicket:
    upload_id = new_id()
    key = incoming_key(kind, subject_id, upload_id, ACCEPTED_TYPES[kind][content_type])
    store.announce(
        Upload(
            upload_id=upload_id,
            kind=kind,
            subject_id=subject_id,
            uploader=principal.user_id,
            content_type=content_type,
            key=key,
            created_at=utc_now(),
        )
    )
    post = bucket.presigned_post(key, content_type, MAX_BYTES[kind], TICKET_SECONDS)
    return UploadTicket(
        upload_id=upload_id,
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


def logo_urls(logo_key: str, urls: AssetUrls) -> LogoOut:
    return LogoOut(
        urls={
            f"{size}.{fmt}": urls.public(f"{logo_key}{size}.{fmt}")
            for size in LOGO_SIZES
            for fmt in LOGO_FORMATS
        }
    )


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
) -> LogoOut:
    """Use the logo; the one it replaces is deleted (its versions expire in 30 days)."""
    club = _club(principal, club_id, store, Capability.EDIT_CLUB)
    upload = _published(store, upload_id, UploadKind.CLUB_LOGO, club_id)
    logo_key = upload.outputs[0].rsplit("/", 1)[0] + "/"
    if club.logo_key != logo_key:
        store.set_club_logo(club, logo_key, principal.user_id, utc_now())
        for old in image_files(club.logo_key) if club.logo_key else []:
            bucket.delete(old)
    return logo_urls(logo_key, urls)


def logo(principal: Principal, club_id: str, store: MediaStore, urls: AssetUrls) -> LogoOut:
    club = _club(principal, club_id, store, Capability.VIEW_CLUB)
    if not club.logo_key:
        raise NotFound("The club has no logo yet.", code="logo_not_found")
    return logo_urls(club.logo_key, urls)


def _managed_ride(principal: Principal, ride_id: str, store: MediaStore) -> Ride:
    ride, mine = store.ride_and_caller(ride_id, principal.user_id)
    ride = _existing_ride(ride, ride_id)
    require(Capability.MANAGE_RIDES, principal, mine, _ride_context(ride))
    return ride


def route_upload(
    principal: Principal, ride_id: str, store: MediaStore, bucket: MediaBucket
) -> UploadTicket:
    _managed_ride(principal, ride_id, store)
    return _announce(
        principal, UploadKind.RIDE_ROUTE, ride_id, "application/gpx+xml", store, bucket
    )


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
            fields["distance_km"] = max(0.1, upload.route.distance_km)
            fields["elevation_gain_m"] = round(upload.route.elevation_gain_m)
        store.set_ride_route(ride, fields, principal.user_id, utc_now())
        if ride.route_key:
            bucket.delete(ride.route_key)  # the route it replaces
    return RouteOut(route=upload.route, url=urls.private(key), expires_in=PRIVATE_URL_SECONDS)


def remove_route(
    principal: Principal, ride_id: str, store: MediaStore, bucket: MediaBucket
) -> None:
    ride = _managed_ride(principal, ride_id, store)
    if not ride.route_key:
        raise NotFound("The ride has no route.", code="route_not_found")
    store.set_ride_route(ride, {"route_key": None, "route": None}, principal.user_id, utc_now())
    bucket.delete(ride.route_key)  # its old versions expire with the bucket's lifecycle


def route(principal: Principal, ride_id: str, store: MediaStore, urls: AssetUrls) -> RouteOut:
    ride, mine = store.ride_and_caller(ride_id, principal.user_id)
    ride = _existing_ride(ride, ride_id)
    require(Capability.VIEW_RIDE, principal, mine, _ride_context(ride))
    if not ride.route_key or ride.route is None:
        raise NotFound("The ride has no route.", code="route_not_found")
    return RouteOut(
        route=ride.route, url=urls.private(ride.route_key), expires_in=PRIVATE_URL_SECONDS
    )


def public_route_file(ride_id: str, store: MediaStore, urls: AssetUrls) -> str:
    """Where a public ride's GPX is (calendar apps follow the link in the ride's event);
    members-only rides are not found here."""
    ride = store.ride(ride_id)
    if ride is None or ride.visibility is not RideVisibility.PUBLIC or not ride.route_key:
        raise NotFound("No public route for this ride.", code="route_not_found")
    return urls.private(ride.route_key)
