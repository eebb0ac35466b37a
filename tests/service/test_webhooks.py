"""Club webhooks in-process against moto: registration and its SSRF checks, the sealed
signing secret, fan-out, and delivery (signature, backoff, the log, disabling) to real
HTTP(S) servers on this machine."""

import datetime as dt
import json
import logging
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from clubs import handler as clubs_api
from clubs.store import ClubStore
from local.moto_server import serving_thread
from local.webhook_receiver import WebhookReceiver
from publisher.translate import events_from_change
from shared.adapters import webhook_endpoint
from shared.adapters.egress import EgressPolicy
from shared.adapters.sealed_secrets import SecretSealer
from shared.adapters.webhook_endpoint import PinnedTransport, WebhookEndpoint
from shared.adapters.work_queue import WorkQueue
from shared.domain.webhook import WEBHOOKS_PER_CLUB, WebhookStatus
from shared.events import DomainEvent
from shared.settings import WebhookDeliverySettings
from shared.store import keys
from shared.store.table import Table
from tests.service.conftest import ADMIN, RIDER, Invoke, add_profiles, make_invoker, snapshot
from webhooks import handler as webhooks_api
from webhooks.delivery import Worker, backoff_seconds
from webhooks.fanout import fan_out
from webhooks.logic import Egress, secret_context
from webhooks.store import WebhookStore

pytestmark = pytest.mark.service

OWNER = {"sub": "44444444-4444-4444-8444-444444444444"}
PUBLIC_IP = "93.184.216.34"
DNS = {
    "hooks.example.com": [PUBLIC_IP],
    "internal.example.com": ["10.1.2.3"],
    "mixed.example.com": [PUBLIC_IP, "127.0.0.1"],
    "metadata.example.com": ["169.254.169.254"],
    "v6.example.com": ["2606:4700::1111", "fd00:ec2::254"],
}


@dataclass
class World:
    api: Invoke
    table: Table
    store: WebhookStore
    sealer: SecretSealer
    club_id: str
    dns: dict[str, list[str]]

    def register(
        self,
        url: str = "https://hooks.example.com/sydney",
        headers: dict[str, str] | None = None,
        **body: Any,
    ) -> Any:
        return self.api(
            "POST",
            "/clubs/{club_id}/webhooks",
            path_params={"club_id": self.club_id},
            body={"url": url, "event_types": ["ride_created"], **body},
            claims=OWNER,
            headers=headers,
        )


@pytest.fixture
def world(table: Table) -> Iterator[World]:
    add_profiles(table, ADMIN["sub"], OWNER["sub"], RIDER["sub"])
    key = boto3.client("kms").create_key()["KeyMetadata"]["Arn"]
    sealer = SecretSealer(boto3.client("kms"), key)
    dns = {host: list(addresses) for host, addresses in DNS.items()}
    store = WebhookStore(table)
    clubs_api.app.dependency_overrides[clubs_api.get_store] = lambda: ClubStore(table)
    overrides = webhooks_api.app.dependency_overrides
    overrides[webhooks_api.get_store] = lambda: store
    overrides[webhooks_api.get_sealer] = lambda: sealer
    overrides[webhooks_api.get_egress] = lambda: Egress(
        EgressPolicy(), lambda host, _: dns.get(host, [])
    )
    club = make_invoker(clubs_api.handler)(
        "POST",
        "/clubs",
        body={"name": "Hooked CC", "disciplines": ["road"], "initial_admin_id": OWNER["sub"]},
        claims=ADMIN,
    )
    assert club.status == 201, club.body
    yield World(make_invoker(webhooks_api.handler), table, store, sealer, club.body["club_id"], dns)
    clubs_api.app.dependency_overrides.clear()
    overrides.clear()


def test_a_club_admin_registers_a_webhook_and_sees_its_secret_once(world: World) -> None:
    answer = world.register(event_types=["ride_created", "ride_cancelled", "ride_created"])

    assert answer.status == 201, answer.body
    hook = answer.body
    assert hook["secret"].startswith("whsec_") and len(hook["secret"]) > 40
    assert hook["event_types"] == ["ride_cancelled", "ride_created"]
    assert hook["status"] == "active"
    assert answer.headers["Location"] == f"/clubs/{world.club_id}/webhooks/{hook['webhook_id']}"
    listed = world.api(
        "GET", "/clubs/{club_id}/webhooks", path_params={"club_id": world.club_id}, claims=OWNER
    )
    assert [h["webhook_id"] for h in listed.body["items"]] == [hook["webhook_id"]]
    assert "secret" not in listed.body["items"][0]
    # Kept sealed for this webhook only: the table never holds the secret.
    item = world.table.get(keys.webhook_key(world.club_id, hook["webhook_id"]))
    assert item is not None and hook["secret"] not in json.dumps(item)
    stored = world.store.webhook(world.club_id, hook["webhook_id"])
    assert stored is not None
    assert world.sealer.open(stored.sealed_secret, secret_context(stored)) == hook["secret"]
    other = secret_context(club_id=world.club_id, webhook_id="another")
    with pytest.raises(Exception, match="InvalidCiphertext"):
        world.sealer.open(stored.sealed_secret, other)


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://hooks.example.com/x", "webhook_url_refused"),
        ("https://10.0.0.1/x", "webhook_url_refused"),
        ("https://127.0.0.1/x", "webhook_url_refused"),
        ("https://[::1]/x", "webhook_url_refused"),
        ("https://169.254.169.254/latest/meta-data", "webhook_url_refused"),
        ("https://100.64.0.1/x", "webhook_url_refused"),
        ("https://internal.example.com/x", "webhook_url_refused"),
        ("https://mixed.example.com/x", "webhook_url_refused"),
        ("https://metadata.example.com/x", "webhook_url_refused"),
        ("https://v6.example.com/x", "webhook_url_refused"),
        ("https://hooks.example.com:8443/x", "webhook_url_refused"),
        ("https://user:pw@hooks.example.com/x", "webhook_url_refused"),
        ("https://nowhere.example.com/x", "webhook_url_unresolvable"),
    ],
)
def test_urls_that_reach_inside_are_refused_and_nothing_is_written(
    world: World, url: str, code: str
) -> None:
    before = snapshot(world.table)
    answer = world.register(url)

    assert (answer.status, answer.body["error"]["code"]) == (422, code)
    assert snapshot(world.table) == before


@pytest.mark.parametrize(
    "body",
    [
        {"url": "https://hooks.example.com/x", "event_types": []},
        # Not a club's event: a webhook may only hear what happens inside its club.
        {"url": "https://hooks.example.com/x", "event_types": ["user_registered"]},
        {"url": "https://hooks.example.com/x"},
        {"url": "https://hooks.example.com/x", "event_types": ["ride_created"], "x": 1},
        {"url": "x", "event_types": ["ride_created"]},
    ],
)
def test_malformed_registrations_are_refused(world: World, body: dict[str, Any]) -> None:
    before = snapshot(world.table)
    answer = world.api(
        "POST",
        "/clubs/{club_id}/webhooks",
        path_params={"club_id": world.club_id},
        body=body,
        claims=OWNER,
    )
    assert (answer.status, answer.body["error"]["code"]) == (422, "validation_error")
    assert snapshot(world.table) == before


def test_members_and_outsiders_may_not_manage_webhooks(world: World) -> None:
    before = snapshot(world.table)
    for claims in (RIDER,):
        refused = world.api(
            "POST",
            "/clubs/{club_id}/webhooks",
            path_params={"club_id": world.club_id},
            body={"url": "https://hooks.example.com/x", "event_types": ["ride_created"]},
            claims=claims,
        )
        assert refused.status == 403
        assert refused.body["error"]["details"]["capability"] == "manage_webhooks"
    assert snapshot(world.table) == before
    missing = world.api(
        "GET",
        "/clubs/{club_id}/webhooks",
        path_params={"club_id": "00000000-0000-4000-8000-000000000000"},
        claims=OWNER,
    )
    assert (missing.status, missing.body["error"]["code"]) == (404, "club_not_found")


def test_a_club_has_at_most_ten_webhooks_and_removing_one_frees_a_place(world: World) -> None:
    ids = [world.register().body["webhook_id"] for _ in range(WEBHOOKS_PER_CLUB)]
    before = snapshot(world.table)

    over = world.register()
    assert (over.status, over.body["error"]["code"]) == (409, "too_many_webhooks")
    assert snapshot(world.table) == before

    path = {"club_id": world.club_id, "webhook_id": ids[0]}
    gone = world.api(
        "DELETE", "/clubs/{club_id}/webhooks/{webhook_id}", path_params=path, claims=OWNER
    )
    assert gone.status == 204
    again = world.api(
        "DELETE", "/clubs/{club_id}/webhooks/{webhook_id}", path_params=path, claims=OWNER
    )
    assert (again.status, again.body["error"]["code"]) == (404, "webhook_not_found")
    assert world.register().status == 201


def ride_event(club_id: str, event_type: str = "ride_created", n: int = 1) -> DomainEvent:
    return DomainEvent(
        event_id=f"stream-{n}:{event_type}",
        event_type=event_type,
        context="rides",
        occurred_at=dt.datetime(2026, 12, 5, 19, 0, n, tzinfo=dt.UTC),
        actor=OWNER["sub"],
        data={"club_id": club_id, "ride_id": f"{club_id}_ride", "title": "Bay Run"},
    )


def test_fan_out_sends_one_message_per_webhook_that_wants_the_event(world: World) -> None:
    wanted = world.register(event_types=["ride_created"]).body["webhook_id"]
    world.register(event_types=["ride_cancelled"])
    sqs = boto3.client("sqs")
    url = sqs.create_queue(QueueName="deliveries")["QueueUrl"]
    queue = WorkQueue(sqs, url)

    assert fan_out(ride_event(world.club_id), world.store, queue) == 1
    assert fan_out(ride_event("00000000-0000-4000-8000-00000000000f"), world.store, queue) == 0
    messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert [json.loads(m["Body"])["webhook_id"] for m in messages] == [wanted]
    assert json.loads(messages[0]["Body"])["event"]["event_id"] == "stream-1:ride_created"


# Delivery, to servers on this machine (the local egress policy lets it reach loopback).


def settings(**changes: Any) -> WebhookDeliverySettings:
    return WebhookDeliverySettings(
        secrets_key_id="alias/test",
        webhook_delivery_queue_url="https://sqs.local/deliveries",
        webhook_allow_local_targets=True,
        **changes,
    )


def worker(world: World, transport: Any = None, **changes: Any) -> Worker:
    config = settings(**changes)
    endpoint = WebhookEndpoint(transport or PinnedTransport(), config.egress)
    return Worker(world.store, endpoint, world.sealer, config)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    receiver.start()
    yield receiver
    receiver.stop()


def local_hook(world: World, url: str) -> tuple[str, str]:
    """A webhook at a local URL (the API refuses those: written as the store would)."""
    world.dns["hooks.example.com"] = [PUBLIC_IP]
    created = world.register().body
    world.table.update(
        keys.webhook_key(world.club_id, created["webhook_id"]),
        "SET #url = :url",
        values={":url": url},
        names={"#url": "url"},
    )
    return created["webhook_id"], created["secret"]


def log_of(world: World, webhook_id: str) -> list[dict[str, Any]]:
    items, _ = world.store.deliveries(webhook_id, limit=25, cursor=None)
    return [d.model_dump(mode="json") for d in items]


def test_a_delivery_is_signed_logged_and_carries_the_event(
    world: World, receiver: WebhookReceiver, caplog: pytest.LogCaptureFixture
) -> None:
    webhook_id, secret = local_hook(world, f"{receiver.url}/sydney?club=1")
    caplog.set_level(logging.DEBUG)

    assert worker(world).deliver(webhook_id, ride_event(world.club_id), attempt=1) is None

    (got,) = receiver.received
    assert got.path == "/sydney"
    # Checked as a club's receiver would, with the standardwebhooks package.
    assert Webhook(secret).verify(got.body, got.standard_headers())["type"] == "ride_created"
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(got.body + b" ", got.standard_headers())
    body = json.loads(got.body)
    assert body["id"] == got.event_id == "stream-1:ride_created"
    assert body["club_id"] == world.club_id and body["data"]["title"] == "Bay Run"
    (entry,) = log_of(world, webhook_id)
    assert (entry["status"], entry["attempts"], entry["last_status_code"]) == ("delivered", 1, 204)
    assert secret not in caplog.text


def test_a_failing_endpoint_is_retried_with_backoff_then_given_up(
    world: World, receiver: WebhookReceiver
) -> None:
    webhook_id, _ = local_hook(world, f"{receiver.url}/down")
    receiver.fail_next(100)
    config = settings(webhook_retry_base_seconds=60, webhook_max_attempts=4)
    work = worker(world, webhook_retry_base_seconds=60, webhook_max_attempts=4)
    event = ride_event(world.club_id)

    delays = [work.deliver(webhook_id, event, attempt) for attempt in (1, 2, 3)]
    assert all(
        d is not None and 0.9 * b <= d <= 1.1 * b
        for d, b in zip(delays, (60, 240, 960), strict=True)
    )
    (entry,) = log_of(world, webhook_id)
    assert (entry["status"], entry["attempts"], entry["last_status_code"]) == ("retrying", 3, 500)
    assert work.deliver(webhook_id, event, attempt=4) is None
    (entry,) = log_of(world, webhook_id)
    assert (entry["status"], entry["attempts"], entry["last_error"]) == ("failed", 4, "HTTP 500")
    assert len(receiver.received) == 4
    assert backoff_seconds(20, config) <= 1.1 * config.webhook_retry_cap_seconds


def test_a_run_of_failures_disables_the_webhook_and_tells_the_club(
    world: World, receiver: WebhookReceiver
) -> None:
    webhook_id, _ = local_hook(world, f"{receiver.url}/down")
    receiver.fail_next(100)
    work = worker(world, webhook_failure_limit=3)
    before = world.table.get(keys.webhook_key(world.club_id, webhook_id))

    for n in (1, 2, 3):
        work.deliver(webhook_id, ride_event(world.club_id, n=n), attempt=1)

    after = world.table.get(keys.webhook_key(world.club_id, webhook_id))
    assert after is not None and after["status"] == WebhookStatus.DISABLED
    # The change is a domain event: the notifications context tells the club's admins.
    (event,) = events_from_change("MODIFY", before, after, "stream-9")
    assert event.event_type == "club_webhook_disabled"
    assert event.data["host"] == "127.0.0.1" and event.data["consecutive_failures"] == 3
    # A disabled webhook gets nothing more; its log says why.
    assert work.deliver(webhook_id, ride_event(world.club_id, n=4), attempt=1) is None
    assert len(receiver.received) == 3
    assert log_of(world, webhook_id)[0]["last_error"] == "webhook disabled"
    # The club's admin turns it back on.
    path = {"club_id": world.club_id, "webhook_id": webhook_id}
    world.dns["127.0.0.1"] = ["127.0.0.1"]
    on = world.api(
        "PUT",
        "/clubs/{club_id}/webhooks/{webhook_id}",
        path_params=path,
        body={"version": after["version"], "status": "active"},
        claims=OWNER,
    )
    # The API checks the URL again with the deployed policy: loopback stays refused.
    assert (on.status, on.body["error"]["code"]) == (422, "webhook_url_refused")


def test_dns_rebinding_after_registration_is_refused_at_delivery(world: World) -> None:
    webhook_id = world.register().body["webhook_id"]
    sent: list[Any] = []

    class Recording:
        def post(self, *args: Any) -> Any:
            sent.append(args)
            raise AssertionError("must not connect")

    endpoint = WebhookEndpoint(Recording(), EgressPolicy(), lambda host, _: ["10.0.0.9"])
    work = Worker(world.store, endpoint, world.sealer, settings())

    assert work.deliver(webhook_id, ride_event(world.club_id), attempt=1) is None
    assert sent == []
    (entry,) = log_of(world, webhook_id)
    assert entry["status"] == "failed" and "private" in entry["last_error"]


def _serve(app: Any, ssl_context: ssl.SSLContext | None = None) -> Any:
    server = make_server("127.0.0.1", 0, app, threaded=True, ssl_context=ssl_context)
    serving_thread(server).start()
    return server


def test_redirects_are_not_followed_and_only_an_excerpt_is_kept(world: World) -> None:
    followed: list[str] = []

    def target(environ: Any, start: Any) -> Any:
        followed.append(Request(environ).path)
        return Response("secret internals")(environ, start)

    inner = _serve(target)

    def redirecting(environ: Any, start: Any) -> Any:
        answer = Response(
            "x" * 10_000,
            status=302,
            headers={"Location": f"http://127.0.0.1:{inner.server_port}/admin"},
        )
        return answer(environ, start)

    outer = _serve(redirecting)
    try:
        webhook_id, _ = local_hook(world, f"http://127.0.0.1:{outer.server_port}/hook")
        worker(world).deliver(webhook_id, ride_event(world.club_id), attempt=1)
    finally:
        outer.shutdown()
        inner.shutdown()
    assert followed == []
    (entry,) = log_of(world, webhook_id)
    assert (entry["last_status_code"], entry["status"]) == (302, "retrying")
    assert len(entry["response_excerpt"]) == webhook_endpoint.EXCERPT_BYTES


def test_a_slow_endpoint_times_out(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(webhook_endpoint, "READ_TIMEOUT_SECONDS", 0.3)
    release = threading.Event()

    def slow(environ: Any, start: Any) -> Any:
        release.wait(5)
        return Response("late")(environ, start)

    server = _serve(slow)
    try:
        webhook_id, _ = local_hook(world, f"http://127.0.0.1:{server.server_port}/slow")
        assert worker(world).deliver(webhook_id, ride_event(world.club_id), attempt=1)
    finally:
        release.set()
        server.shutdown()
    (entry,) = log_of(world, webhook_id)
    assert entry["last_status_code"] is None and "Timeout" in entry["last_error"]


def _certificate(tmp: Path, host: str) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp / "cert.pem", tmp / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_https_goes_to_the_checked_address_with_tls_verified_for_the_host_name(
    world: World, tmp_path: Path
) -> None:
    """The connection is pinned to the address that passed the check, and TLS still
    proves the URL's host: a certificate for another name fails the delivery."""
    cert, key = _certificate(tmp_path, "hooks.example.com")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    seen: list[str] = []

    def app(environ: Any, start: Any) -> Any:
        seen.append(Request(environ).host)
        return Response(status=204)(environ, start)

    server = _serve(app, context)
    port = server.server_port
    try:
        webhook_id, _ = local_hook(world, f"https://hooks.example.com:{port}/tls")
        resolve = {"hooks.example.com": ["127.0.0.1"], "other.example.com": ["127.0.0.1"]}
        endpoint = WebhookEndpoint(
            PinnedTransport(ca_certs=str(cert)),
            EgressPolicy(allow_local=True),
            lambda host, _: resolve.get(host, []),
        )
        work = Worker(world.store, endpoint, world.sealer, settings())
        assert work.deliver(webhook_id, ride_event(world.club_id), attempt=1) is None
        assert seen == [f"hooks.example.com:{port}"]

        other_id, _ = local_hook(world, f"https://other.example.com:{port}/tls")
        assert work.deliver(other_id, ride_event(world.club_id), attempt=1)
    finally:
        server.shutdown()
    assert "SSL" in (log_of(world, other_id)[0]["last_error"] or "")


def test_with_club_webhooks_off_no_event_is_fanned_out(
    world: World, flags: Callable[..., None]
) -> None:
    world.register(event_types=["ride_created"])
    sqs = boto3.client("sqs")
    queue = WorkQueue(sqs, sqs.create_queue(QueueName="deliveries-off")["QueueUrl"])
    flags(club_webhooks=False)

    assert fan_out(ride_event(world.club_id), world.store, queue) == 0
    flags(club_webhooks=True)  # flipped back, without a new process
    assert fan_out(ride_event(world.club_id), world.store, queue) == 1


def _table_text(table: Table) -> str:
    return json.dumps(snapshot(table))


def test_a_replayed_registration_never_shows_or_stores_the_secret(world: World) -> None:
    first = world.register(headers={"Idempotency-Key": "hook-1"})
    assert first.status == 201 and first.body["secret"].startswith("whsec_")
    assert first.headers["Cache-Control"] == "no-store"
    # The secret is nowhere in the table, idempotency records included.
    assert first.body["secret"] not in _table_text(world.table)
    assert any(i["PK"]["S"].startswith("IDEMPOTENCY#") for i in snapshot(world.table))

    again = world.register(headers={"Idempotency-Key": "hook-1"})
    assert again.status == 409 and again.headers["Idempotent-Replayed"] == "true"
    assert again.body["error"]["code"] == "secret_shown_once"
    location = f"/clubs/{world.club_id}/webhooks/{first.body['webhook_id']}"
    assert f"POST {location}/secret" in again.body["error"]["message"]
    assert "whsec_" not in json.dumps(again.body)
    assert len(world.store.club_webhooks(world.club_id)) == 1


def test_rotating_the_secret_signs_with_the_new_one_only(world: World) -> None:
    hook = world.register().body
    path = "/clubs/{club_id}/webhooks/{webhook_id}/secret"
    ids = {"club_id": world.club_id, "webhook_id": hook["webhook_id"]}

    stale = world.api("POST", path, path_params=ids, body={"version": 99}, claims=OWNER)
    assert (stale.status, stale.body["error"]["code"]) == (409, "version_conflict")
    member = world.api("POST", path, path_params=ids, body={"version": 1}, claims=RIDER)
    assert member.status == 403

    def rotate() -> Any:
        key = {"Idempotency-Key": "rotate-1"}
        return world.api(
            "POST", path, path_params=ids, body={"version": 1}, claims=OWNER, headers=key
        )

    rotated = rotate()
    assert rotated.status == 200, rotated.body
    assert rotated.body["secret"] != hook["secret"] and rotated.body["version"] == 2
    assert rotated.headers["Cache-Control"] == "no-store"
    stored = world.store.webhook(world.club_id, hook["webhook_id"])
    assert stored is not None
    opened = world.sealer.open(stored.sealed_secret, secret_context(stored))
    assert opened == rotated.body["secret"]
    assert rotated.body["secret"] not in _table_text(world.table)
    replay = rotate()
    assert replay.body["error"]["code"] == "secret_shown_once"


def test_an_idempotency_key_is_scoped_to_the_path_it_was_sent_to(world: World) -> None:
    other = make_invoker(clubs_api.handler)(
        "POST",
        "/clubs",
        body={"name": "Second Hooks CC", "disciplines": ["road"], "initial_admin_id": OWNER["sub"]},
        claims=ADMIN,
    ).body["club_id"]
    body = {"url": "https://hooks.example.com/sydney", "event_types": ["ride_created"]}
    answers = [
        world.api(
            "POST",
            "/clubs/{club_id}/webhooks",
            path_params={"club_id": club_id},
            body=body,
            claims=ADMIN,
            headers={"Idempotency-Key": "same-key"},
        )
        for club_id in (world.club_id, other)
    ]

    assert [a.status for a in answers] == [201, 201]
    assert "Idempotent-Replayed" not in answers[1].headers
    assert answers[1].body["club_id"] == other
    assert len(world.store.club_webhooks(other)) == 1


@pytest.mark.parametrize(
    "url",
    ["https://hooks.example.com/x\r\nX-Evil: 1", "https://hooks.example.com/a\tb"],
)
def test_a_url_with_control_characters_is_refused_and_nothing_is_stored(
    world: World, url: str
) -> None:
    before = snapshot(world.table)

    answer = world.register(url)

    assert (answer.status, answer.body["error"]["code"]) == (422, "webhook_url_refused")
    assert snapshot(world.table) == before
