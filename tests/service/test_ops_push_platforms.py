"""`ops/push_platforms.py` makes the platform applications the functions expect, and
updates them on a second run (a credential rotation)."""

import boto3
import pytest

from ops.push_platforms import apply
from shared.adapters.push import PushGateway
from shared.domain.notifications import PushPlatform

pytestmark = pytest.mark.service

CREDENTIALS = {
    "apns": {"certificate": "CERT", "private_key": "KEY"},
    "fcm": {"server_key": "SERVER-KEY"},
}


def test_applications_are_created_then_updated_under_the_expected_names(aws: None) -> None:
    sns = boto3.client("sns")

    first = apply(sns, "prod", CREDENTIALS, "ap-southeast-2", "123456789012")
    second = apply(
        sns, "prod", {"fcm": {"server_key": "ROTATED"}}, "ap-southeast-2", "123456789012"
    )

    assert first == [
        "created arn:aws:sns:ap-southeast-2:123456789012:app/APNS/sydney-cycling-prod-apns",
        "created arn:aws:sns:ap-southeast-2:123456789012:app/GCM/sydney-cycling-prod-fcm",
    ]
    assert second == [
        "updated arn:aws:sns:ap-southeast-2:123456789012:app/GCM/sydney-cycling-prod-fcm"
    ]
    gateway = PushGateway(sns, {"fcm": first[1].removeprefix("created ")})
    assert gateway.register(PushPlatform.FCM, "t" * 64, "user-1").startswith("arn:aws:sns:")
