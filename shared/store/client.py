"""The DynamoDB client every function uses, created once per execution environment."""

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

# Fail fast inside API Gateway's 29 s limit; the SDK's standard mode retries throttles.
_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "max_attempts": 3},
    tcp_keepalive=True,
)


@cache
def dynamodb_client() -> Any:
    # The endpoint comes from AWS_ENDPOINT_URL when set (the local platform's moto server).
    return boto3.client("dynamodb", config=_CONFIG)
