"""The webhook signature a receiver checks, and which addresses count as public."""

import base64
import time

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from shared.adapters.egress import EgressPolicy, RefusedDestination, check_destination, is_public
from shared.adapters.webhook_signature import headers, sign

pytestmark = pytest.mark.unit

# The Standard Webhooks specification's own example (its README and test suites).
SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID, SPEC_TIME, SPEC_BODY = "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_the_signature_is_the_specifications_for_its_example() -> None:
    assert sign(SPEC_SECRET, SPEC_ID, SPEC_TIME, SPEC_BODY) == SPEC_SIGNATURE


def test_a_receiver_using_the_standardwebhooks_package_accepts_it_and_only_it() -> None:
    now = int(time.time())
    signed = headers(SPEC_SECRET, "e1", now, SPEC_BODY)
    receiver = Webhook(SPEC_SECRET)

    assert receiver.verify(SPEC_BODY, signed) == {"test": 2432232314}
    for body, secret, changed in (
        (SPEC_BODY + b" ", SPEC_SECRET, {}),
        (SPEC_BODY, "whsec_" + base64.b64encode(b"another key").decode(), {}),
        (SPEC_BODY, SPEC_SECRET, {"webhook-id": "e2"}),  # the id is signed
        (SPEC_BODY, SPEC_SECRET, {"webhook-timestamp": str(now - 1)}),
    ):
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(body, {**signed, **changed})
    # A captured delivery replayed later is refused by its timestamp.
    old = headers(SPEC_SECRET, "e1", now - 3600, SPEC_BODY)
    with pytest.raises(WebhookVerificationError):
        receiver.verify(SPEC_BODY, old)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700::1111", True),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("127.0.0.1", False),
        ("0.0.0.0", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("224.0.0.1", False),
        ("240.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00:ec2::254", False),
        ("::ffff:10.0.0.1", False),
        ("::ffff:93.184.216.34", True),
        # 6to4 (2002::/16) embedding loopback, the metadata service, a private address.
        ("2002:7f00:1::", False),
        ("2002:a9fe:a9fe::", False),
        ("2002:0a00:0001::1", False),
        ("2002:5db8:d822::1", True),
        # Teredo: server and client (obfuscated) must both be global.
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", False),  # RFC 4380's example: 192.0.2.45
        ("2001:0:5db8:d822:0:f227:a247:27dd", True),  # server and client 93.184.216.34
        ("2001:0:5db8:d822:0:f227:80ff:fffe", False),  # client 127.0.0.1
        # NAT64: the well-known prefix translates the embedded address; local use never.
        ("64:ff9b::7f00:1", False),
        ("64:ff9b::a9fe:a9fe", False),
        ("64:ff9b::5db8:d822", True),
        ("64:ff9b:1::5db8:d822", False),
        # IPv4-compatible (deprecated).
        ("::127.0.0.1", False),
        ("::a9fe:a9fe", False),
    ],
)
def test_only_globally_routable_addresses_are_public(address: str, public: bool) -> None:
    assert is_public(address) is public


def test_the_local_policy_is_the_only_way_to_plain_http_and_loopback() -> None:
    with pytest.raises(RefusedDestination):
        check_destination("http://127.0.0.1:3001/x", EgressPolicy())
    local = check_destination("http://127.0.0.1:3001/x?a=1", EgressPolicy(allow_local=True))
    assert (local.host, local.port, local.target) == ("127.0.0.1", 3001, "/x?a=1")


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/x\r\nX-Evil: 1",
        "https://hooks.example.com/x\nHost: internal",
        "https://hooks.example.com/a b",
        "https://hooks.example.com/\ttab",
        "https://hooks.example.com/\x00",
        "https://hooks.example.com\\@169.254.169.254/",
        "https://hooks.example.com/caf\u00e9",
    ],
)
def test_control_characters_and_white_space_anywhere_refuse_the_url(url: str) -> None:
    with pytest.raises(RefusedDestination, match="URL characters"):
        check_destination(url, EgressPolicy(), lambda host, port: ["93.184.216.34"])


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.8:8080/hook",
        "http://[fe80::1]/hook",
        "http://[2002:a9fe:a9fe::]/hook",
        "http://192.168.1.10/hook",
    ],
)
def test_the_local_policy_relaxes_loopback_only(url: str) -> None:
    with pytest.raises(RefusedDestination, match="private, loopback"):
        check_destination(url, EgressPolicy(allow_local=True))
    assert check_destination("http://[::1]:3001/h", EgressPolicy(allow_local=True)).port == 3001
