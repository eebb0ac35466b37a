"""The webhook signature a receiver checks, and which addresses count as public."""

import pytest

from shared.adapters.egress import EgressPolicy, RefusedDestination, check_destination, is_public
from shared.adapters.webhook_signature import sign, verify

pytestmark = pytest.mark.unit

SECRET = "whsec_test"
BODY = b'{"id":"e1","type":"ride_created"}'


def test_a_signature_holds_for_its_body_secret_and_time_only() -> None:
    header = sign(SECRET, 1_800_000_000, BODY)

    assert verify(SECRET, header, BODY, now=1_800_000_100)
    assert not verify(SECRET, header, BODY + b" ", now=1_800_000_100)
    assert not verify("whsec_other", header, BODY, now=1_800_000_100)
    # A captured delivery replayed later is refused by its timestamp.
    assert not verify(SECRET, header, BODY, now=1_800_000_000 + 301)
    # Moving the timestamp breaks the MAC.
    moved = header.replace("t=1800000000", "t=1800000290")
    assert not verify(SECRET, moved, BODY, now=1_800_000_300)
    for garbage in ("", "t=x,v1=y", "v1=abc", "t=1800000000"):
        assert not verify(SECRET, garbage, BODY, now=1_800_000_000)


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
    ],
)
def test_only_globally_routable_addresses_are_public(address: str, public: bool) -> None:
    assert is_public(address) is public


def test_the_local_policy_is_the_only_way_to_plain_http_and_loopback() -> None:
    with pytest.raises(RefusedDestination):
        check_destination("http://127.0.0.1:3001/x", EgressPolicy())
    local = check_destination("http://127.0.0.1:3001/x?a=1", EgressPolicy(allow_local=True))
    assert (local.host, local.port, local.target) == ("127.0.0.1", 3001, "/x?a=1")
