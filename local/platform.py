"""The whole platform on 127.0.0.1: moto as AWS, provisioned like the stacks, the local
gateway in front of the real handlers. State lives in memory and dies with the process."""

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import requests
from botocore.config import Config
from werkzeug.serving import BaseWSGIServer, make_server

from local.cognito_triggers import (
    ClientWriteGuard,
    ConfirmationHook,
    PreTokenClaimsCache,
    trigger_event,
)
from local.event_sources import PollingThread, QueueMapping, StreamMapping
from local.fake_strava import FakeStrava
from local.faults import FaultInjector, Faults
from local.flags import OVERRIDES as FLAG_OVERRIDES
from local.gateway import LocalGateway
from local.loopback_server import QuietRequestHandler
from local.moto_server import MotoServer, serving_thread
from local.provision import (
    CLIENT_WRITABLE_ATTRIBUTES,
    EMAIL_SENDER,
    LOCAL_CREDENTIALS,
    LOCAL_STAGE,
    LOCAL_VISIBILITY_TIMEOUT_SECONDS,
    REGION,
    LocalResources,
    provision,
)
from local.scheduler import ScheduleRunner
from local.ses_simulator import SesSimulator
from local.token_verifier import TokenVerifier
from local.upload_watcher import UploadWatcher
from local.users import create_user
from local.workers import HandlerPool
from shared.domain.enums import SystemRole
from shared.names import strava_app_secret_name, strava_state_key_name
from shared.store.table import Table
from stacks.consumers import (
    CONSUMERS,
    MEDIA,
    NOTIFICATIONS,
    PUBLISHER_HANDLER,
    PUBLISHER_SETTINGS,
    WEBHOOK_DELIVERY,
    WORKERS,
)
from stacks.contexts import CONTEXTS, POST_CONFIRMATION, PRE_TOKEN_GENERATION, TRIGGERS
from stacks.environment import function_environment, queue_url_field
from tools.openapi import build_document

# Where a rider's browser lands after linking Strava (the web app's dev server).
STRAVA_APP_REDIRECT_URL = "http://localhost:5173/settings/strava"
# moto's Scheduler does not check the role; in AWS it is the scheduler role of the stack.
LOCAL_SCHEDULER_ROLE = "arn:aws:iam::123456789012:role/local-reminder-scheduler"
# Batches in flight per queue locally (Lambda scales its pollers with the backlog).
LOCAL_POLLERS = 3


@dataclass(frozen=True)
class Endpoints:
    api_url: str
    moto_url: str
    region: str
    resources: LocalResources

    @property
    def issuer(self) -> str:
        return f"https://cognito-idp.{self.region}.amazonaws.com/{self.resources.user_pool_id}"


def _starting(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The API port's application until `start` puts the gateway in its place. The port is
    not served before then (a connection made earlier waits in its listen queue), so this
    answers only if that ever changes."""
    start_response("503 Service Unavailable", [("Content-Type", "application/json")])
    return [b'{"error":{"code":"starting","message":"The local platform is starting."}}']


class LocalPlatform:
    def __init__(
        self,
        *,
        api_port: int = 3000,
        moto_port: int = 0,
        workers: int = 4,
        visibility_seconds: int = LOCAL_VISIBILITY_TIMEOUT_SECONDS,
        faults: dict[str, float] | None = None,
        strava_port: int = 0,
        flag_overrides: Path | None = None,
    ) -> None:
        self.visibility_seconds = visibility_seconds
        # A developer's feature-flag overrides (`python -m local.flags`), read by the
        # functions on every evaluation.
        self.flag_overrides = flag_overrides or FLAG_OVERRIDES
        # DynamoDB's contention and load, on demand (`--faults`); rates may change later.
        self.faults = Faults(rates=dict(faults or {}))
        # The API's port is bound now, though the gateway only answers once started: its
        # address goes into what `start` provisions, and a port found free and bound later
        # may be taken meanwhile ("Address already in use").
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", api_port, _starting, threaded=True, request_handler=QuietRequestHandler
        )
        self.api_port = self._server.server_port
        self.moto = MotoServer(
            moto_port,
            wrap=lambda app: ClientWriteGuard(
                ConfirmationHook(app, self._post_confirmation), CLIENT_WRITABLE_ATTRIBUTES
            ),
            outer=lambda app: FaultInjector(app, self.faults),
        )
        self.workers = workers
        self._pool: HandlerPool | None = None
        self._thread: threading.Thread | None = None
        self.endpoints: Endpoints | None = None
        self._clients: dict[str, Any] = {}
        self.event_sources: list[PollingThread] = []
        self.queue_mappings: dict[str, QueueMapping] = {}
        # Strava, on this machine (configured with the stage's app secret at start).
        self.strava = FakeStrava("", "", 0, port=strava_port)

    def session(self) -> boto3.Session:
        return boto3.Session(region_name=REGION, **LOCAL_CREDENTIALS)

    def client(self, service: str) -> Any:
        """A client of the local AWS, one per service (building one costs ~0.2 s)."""
        if service not in self._clients:
            self._clients[service] = self.session().client(
                service, endpoint_url=self.moto.url, config=Config(retries={"max_attempts": 2})
            )
        return self._clients[service]

    def table(self) -> Table:
        assert self.endpoints is not None, "start the platform first"
        return Table(self.client("dynamodb"), self.endpoints.resources.table_name)

    def create_user(
        self,
        email: str,
        password: str,
        system_role: SystemRole = SystemRole.USER,
        name: tuple[str, str] | None = None,
    ) -> str:
        assert self.endpoints is not None, "start the platform first"
        given, family = name or (None, None)
        return create_user(
            self.client("cognito-idp"),
            self.endpoints.resources.user_pool_id,
            email,
            password,
            system_role,
            self.table(),
            given_name=given,
            family_name=family,
        )

    def start(self) -> Endpoints:
        self.moto.start()
        # moto's state is per process: start from nothing even if a platform ran before.
        requests.post(f"{self.moto.url}/moto-api/reset", timeout=5).raise_for_status()
        api_url = f"http://127.0.0.1:{self.api_port}"
        resources = provision(
            _EndpointSession(self), api_url=api_url, visibility_seconds=self.visibility_seconds
        )
        self.strava.client_id = str(resources.strava_app["client_id"])
        self.strava.client_secret = str(resources.strava_app["client_secret"])
        self.strava.subscription_id = int(resources.strava_app["subscription_id"])
        secret = resources.strava_app["callback_secret"]
        self.strava.callback_url = f"{api_url}/webhooks/strava/{secret}"
        self.strava.start()
        jwks = requests.get(
            f"{self.moto.url}/{resources.user_pool_id}/.well-known/jwks.json", timeout=5
        ).json()
        endpoints = Endpoints(api_url, self.moto.url, REGION, resources)
        verifier = TokenVerifier(jwks, issuer=endpoints.issuer, audience=resources.client_id)
        functions = self._function_envs(resources)
        self._pool = HandlerPool(self._base_env(), functions, self.workers)
        self._pool.warm(list(functions))
        self.endpoints = endpoints
        gateway = LocalGateway(
            verifier, self._pool, build_document(), PreTokenClaimsCache(self.pre_token_claims)
        )
        self._server.app = gateway
        self._thread = serving_thread(self._server)
        self._thread.start()
        self._start_event_path(resources)
        return endpoints

    def _start_event_path(self, resources: LocalResources) -> None:
        """The table stream, the consumers' queues, the reminder schedules and SES's
        simulator, each driven like its AWS counterpart drives the same handlers."""
        assert self._pool is not None
        invoke = self._pool.invoke
        sqs = self.client("sqs")
        self.event_sources.append(
            StreamMapping(
                self.client("dynamodbstreams"),
                sqs,
                resources.stream_arn,
                resources.stream_failures_url,
                invoke,
                PUBLISHER_HANDLER,
            )
        )
        for queue in (*resources.consumers, *resources.workers):
            # A few pollers, never more than the declaration lets AWS run at once.
            pollers = min(LOCAL_POLLERS, queue.max_concurrency)
            mapping = QueueMapping(
                self.client("sqs"), queue, invoke, pollers=pollers, batch_size=queue.batch_size
            )
            self.queue_mappings[queue.name] = mapping
            self.event_sources.append(mapping)
        self.event_sources.append(
            ScheduleRunner(self.client("scheduler"), sqs, resources.reminder_group)
        )
        self.event_sources.append(
            SesSimulator(_sent_mail, self.client("events"), self._user_of_address)
        )
        self.event_sources.append(
            UploadWatcher(
                self.client("s3"),
                sqs,
                resources.bucket_name,
                resources.consumer(MEDIA.name).queue_url,
            )
        )
        for source in self.event_sources:
            source.start()

    def _user_of_address(self, email: str) -> str | None:
        assert self.endpoints is not None
        # Every page: a scan reads at most 1 MB a call, and a platform that has run a
        # while holds more (the address was missed once the profile lay past page one).
        pages = (
            self.client("dynamodb")
            .get_paginator("scan")
            .paginate(
                TableName=self.endpoints.resources.table_name,
                FilterExpression="entity = :user AND email = :email",
                ExpressionAttributeValues={":user": {"S": "user"}, ":email": {"S": email}},
            )
        )
        for page in pages:
            for item in page.get("Items") or []:
                return str(item["user_id"]["S"])
        return None

    def stop(self) -> None:
        for source in self.event_sources:  # every poll ends together, not one after another
            source.signal_stop()
        for source in self.event_sources:
            # A queue's long poll may wait out its seconds in moto: not waited for (stopping
            # took ~5 s), its thread ends when the poll returns to a platform that is gone.
            if not isinstance(source, QueueMapping):
                source.stop()
        if self._thread is not None:
            self._server.shutdown()
        self._server.server_close()
        if self._pool is not None:
            self._pool.close()
        self.strava.stop()
        self.moto.stop()

    def _post_confirmation(self, username: str) -> None:
        if self._pool is None or self.endpoints is None:
            return
        resources = self.endpoints.resources
        user = self.client("cognito-idp").admin_get_user(
            UserPoolId=resources.user_pool_id, Username=username
        )
        attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
        event = trigger_event(
            "PostConfirmation_ConfirmSignUp",
            resources.user_pool_id,
            REGION,
            resources.client_id,
            username,
            {**attributes, "cognito:user_status": "CONFIRMED"},
        )
        self._pool.invoke(POST_CONFIRMATION.handler, event)

    def pre_token_claims(self, claims: dict[str, Any]) -> dict[str, Any]:
        assert self._pool is not None and self.endpoints is not None
        resources = self.endpoints.resources
        event = trigger_event(
            "TokenGeneration_Authentication",
            resources.user_pool_id,
            REGION,
            resources.client_id,
            str(claims.get("cognito:username", claims["sub"])),
            {k: v for k, v in claims.items() if isinstance(v, str)},
        )
        answer = self._pool.invoke(PRE_TOKEN_GENERATION.handler, event)
        override = (answer.get("response") or {}).get("claimsOverrideDetails") or {}
        return dict(override.get("claimsToAddOrOverride") or {})

    def _base_env(self) -> dict[str, str]:
        """What every local function shares: the local AWS, and Powertools kept quiet."""
        return {
            "AWS_ENDPOINT_URL": self.moto.url,
            "AWS_ACCESS_KEY_ID": LOCAL_CREDENTIALS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": LOCAL_CREDENTIALS["aws_secret_access_key"],
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "POWERTOOLS_METRICS_NAMESPACE": "SydneyCyclingLocal",
            # Locally there is no X-Ray daemon nor CloudWatch to receive these.
            "POWERTOOLS_TRACE_DISABLED": "1",
            "POWERTOOLS_METRICS_DISABLED": "1",
            "POWERTOOLS_LOG_LEVEL": "WARNING",
        }

    def _values(self, resources: LocalResources) -> dict[str, object]:
        """The local stage's values by settings field name (`stacks/environment.py`)."""
        return {
            "stage": LOCAL_STAGE,
            "table_name": resources.table_name,
            "user_pool_id": resources.user_pool_id,
            "assets_bucket_name": resources.bucket_name,
            "event_bus_name": resources.event_bus_name,
            "api_url_parameter": resources.api_url_parameter,
            # No CloudFront here: presigned GETs from moto's S3 stand in for it.
            "cdn_domain_parameter": "",
            "signing_secret_name": resources.signing_secret_name,
            "secrets_key_id": resources.secrets_key_id,
            "push_applications": resources.push_applications,
            "email_sender": EMAIL_SENDER,
            "reminder_group": resources.reminder_group,
            "reminder_queue_arn": resources.consumer(NOTIFICATIONS.name).queue_arn,
            "reminder_role_arn": LOCAL_SCHEDULER_ROLE,
            "reminder_dead_letter_arn": resources.consumer(NOTIFICATIONS.name).dead_letter_arn,
            "strava_app_secret_name": strava_app_secret_name(LOCAL_STAGE),
            "strava_state_key_name": strava_state_key_name(LOCAL_STAGE),
            "strava_base_url": self.strava.url,
            "strava_app_redirect_url": STRAVA_APP_REDIRECT_URL,
            **{
                queue_url_field(queue.name): queue.queue_url
                for queue in (*resources.consumers, *resources.workers)
            },
            # The local receiver is http on 127.0.0.1, and retries come after seconds.
            "webhook_allow_local_targets": True,
            "webhook_max_attempts": WEBHOOK_DELIVERY.attempts,
            "webhook_retry_base_seconds": 1,
            "webhook_retry_cap_seconds": 4,
        }

    def _function_envs(self, resources: LocalResources) -> dict[str, dict[str, str]]:
        """Each function's own variables, as its stack gives them in AWS: a function that
        reads settings its declaration does not list fails here as it would there."""
        values = self._values(resources)
        flags = {"FEATURE_FLAGS_OVERRIDES": str(self.flag_overrides)}
        declared = [
            *((c.handler, c.all_settings, c.feature_flags) for c in CONTEXTS.values()),
            *((t.handler, t.settings, False) for t in TRIGGERS),
            (PUBLISHER_HANDLER, PUBLISHER_SETTINGS, False),
            *((c.handler, c.all_settings, c.feature_flags) for c in CONSUMERS),
            *((w.handler, w.all_settings, False) for w in WORKERS),
        ]
        return {
            handler: {
                "POWERTOOLS_SERVICE_NAME": handler.split(".")[0],
                **function_environment(settings, values),
                **(flags if reads_flags else {}),
            }
            for handler, settings, reads_flags in declared
        }


def _sent_mail() -> list[Any]:
    """The mail moto's SES has accepted so far (the server runs in this process)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


class _EndpointSession:
    """What `provision` needs of a session: clients pointed at the moto server."""

    def __init__(self, platform: LocalPlatform) -> None:
        self._platform = platform

    def client(self, service: str) -> Any:
        return self._platform.client(service)
