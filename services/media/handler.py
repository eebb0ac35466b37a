"""Media API: uploads of club logos and ride routes (presigned POST, then confirmation),
and reading them back. Thin HTTP layer over `media.logic`."""

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.depends import Depends
from aws_lambda_powertools.event_handler.openapi.params import Body, Path

from media import logic
from media.dependencies import get_bucket, get_store
from media.schemas import (
    AttachmentConfirmation,
    AttachmentList,
    AttachmentOut,
    AttachmentUploadRequest,
    ImageSizes,
    LogoUploadRequest,
    RouteConfirmation,
    RouteOut,
    UploadConfirmation,
    UploadTicket,
)
from media.store import MediaStore
from media.urls import AssetUrls
from shared.adapters.configuration import parameter_value
from shared.adapters.media import MediaBucket
from shared.api.auth import CallerDep
from shared.api.params import ClubId, RideId, UserId
from shared.api.resolver import build_resolver, documented, make_handler
from shared.domain.ids import UUID_PATTERN
from shared.settings import MediaApiSettings

app = build_resolver()
TAG = "media"
AttachmentId = Annotated[
    str, Path(pattern=UUID_PATTERN, description="The attachment's id: its upload's id")
]


def _cdn_domain() -> str:
    name = MediaApiSettings.from_environment().cdn_domain_parameter
    return parameter_value(name) if name else ""


def get_urls() -> AssetUrls:
    return AssetUrls(get_bucket(), _cdn_domain)


StoreDep = Annotated[MediaStore, Depends(get_store)]
BucketDep = Annotated[MediaBucket, Depends(get_bucket)]
UrlsDep = Annotated[AssetUrls, Depends(get_urls)]


@app.post("/clubs/<club_id>/logo", **documented(TAG, "Upload a club logo (presigned POST)"))
def upload_logo(
    club_id: ClubId,
    body: Annotated[LogoUploadRequest, Body()],
    caller: CallerDep,
    store: StoreDep,
    bucket: BucketDep,
) -> UploadTicket:
    return logic.logo_upload(caller, club_id, body.content_type, store, bucket)


@app.put(
    "/clubs/<club_id>/logo",
    **documented(TAG, "Use an uploaded logo once it has been checked"),
)
def confirm_logo(
    club_id: ClubId,
    body: Annotated[UploadConfirmation, Body()],
    caller: CallerDep,
    store: StoreDep,
    urls: UrlsDep,
    bucket: BucketDep,
) -> ImageSizes:
    return logic.confirm_logo(caller, club_id, body.upload_id, store, urls, bucket)


@app.get("/clubs/<club_id>/logo", **documented(TAG, "The club's logo in every size"))
def club_logo(club_id: ClubId, caller: CallerDep, store: StoreDep, urls: UrlsDep) -> ImageSizes:
    return logic.logo(caller, club_id, store, urls)


@app.post("/rides/<ride_id>/route", **documented(TAG, "Upload a GPX route (presigned POST)"))
def upload_route(
    ride_id: RideId, caller: CallerDep, store: StoreDep, bucket: BucketDep
) -> UploadTicket:
    return logic.route_upload(caller, ride_id, store, bucket)


@app.put(
    "/rides/<ride_id>/route",
    **documented(TAG, "Attach an uploaded route once it has been checked"),
)
def confirm_route(
    ride_id: RideId,
    body: Annotated[RouteConfirmation, Body()],
    caller: CallerDep,
    store: StoreDep,
    urls: UrlsDep,
    bucket: BucketDep,
) -> RouteOut:
    return logic.confirm_route(
        caller, ride_id, body.upload_id, body.keep_stats, store, urls, bucket
    )


@app.get("/rides/<ride_id>/route", **documented(TAG, "The ride's route and a link to its GPX"))
def ride_route(ride_id: RideId, caller: CallerDep, store: StoreDep, urls: UrlsDep) -> RouteOut:
    return logic.route(caller, ride_id, store, urls)


@app.delete("/rides/<ride_id>/route", **documented(TAG, "Remove the ride's route", success=(204,)))
def delete_route(
    ride_id: RideId, caller: CallerDep, store: StoreDep, bucket: BucketDep
) -> Response[None]:
    logic.remove_route(caller, ride_id, store, bucket)
    return Response(status_code=204)


@app.get(
    "/rides/<ride_id>/route.gpx",
    **documented(TAG, "A public ride's GPX file (redirects to it)", success=(302,)),
)
def public_route_file(ride_id: RideId, store: StoreDep, urls: UrlsDep) -> Response[None]:
    target = logic.public_route_file(ride_id, store, urls)
    return Response(status_code=302, headers={"Location": target, "Cache-Control": "no-store"})


@app.post(
    "/rides/<ride_id>/attachments",
    **documented(TAG, "Upload a PDF cue sheet or an image for the ride (presigned POST)"),
)
def upload_attachment(
    ride_id: RideId,
    body: Annotated[AttachmentUploadRequest, Body()],
    caller: CallerDep,
    store: StoreDep,
    bucket: BucketDep,
) -> UploadTicket:
    return logic.attachment_upload(caller, ride_id, body.content_type, store, bucket)


@app.put(
    "/rides/<ride_id>/attachments/<attachment_id>",
    **documented(TAG, "Attach a checked upload (its upload id) under a title, or retitle it"),
)
def confirm_attachment(
    ride_id: RideId,
    attachment_id: AttachmentId,
    body: Annotated[AttachmentConfirmation, Body()],
    caller: CallerDep,
    store: StoreDep,
    urls: UrlsDep,
) -> AttachmentOut:
    return logic.confirm_attachment(caller, ride_id, attachment_id, body.title, store, urls)


@app.get(
    "/rides/<ride_id>/attachments",
    **documented(TAG, "The ride's attachments, each with a short-lived download link"),
)
def ride_attachments(
    ride_id: RideId, caller: CallerDep, store: StoreDep, urls: UrlsDep
) -> AttachmentList:
    return AttachmentList(attachments=logic.attachments(caller, ride_id, store, urls))


@app.delete(
    "/rides/<ride_id>/attachments/<attachment_id>",
    **documented(TAG, "Remove an attachment from the ride", success=(204,)),
)
def delete_attachment(
    ride_id: RideId,
    attachment_id: AttachmentId,
    caller: CallerDep,
    store: StoreDep,
    bucket: BucketDep,
) -> Response[None]:
    logic.remove_attachment(caller, ride_id, attachment_id, store, bucket)
    return Response(status_code=204)


@app.get("/users/<user_id>/avatar", **documented(TAG, "A user's avatar in every size"))
def user_avatar(user_id: UserId, caller: CallerDep, store: StoreDep, urls: UrlsDep) -> ImageSizes:
    return logic.avatar(caller, user_id, store, urls)


handler = make_handler(app)
