"""The AWS clients every function uses, each created once per execution environment."""

from functools import cache
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

from shared.store.fast_loader import botocore_loader

# Fail fast inside API Gateway's 29 s limit; the SDK's standard mode retries throttles.
_CONFIG = Config(
    connect_timeout=2,
    read_timeout=5,
    retries={"mode": "standard", "max_attempts": 3},
    tcp_keepalive=True,
)


@cache
def _session() -> botocore.session.Session:
    session = botocore.session.get_session()
    session.register_component(
        "data_loader", botocore_loader(session.get_config_variable("data_path"))
    )
    return session


@cache
def aws_client(service: str) -> Any:
    """A botocore client: boto3 adds nothing the functions use and ~90 ms of cold start.
    Region, credentials and AWS_ENDPOINT_URL (the local moto server) come from the
    environment as in boto3."""
    return _session().create_client(service, config=_CONFIG)


def dynamodb_client() -> Any:
    return aws_client("dynamodb")


def error_code(error: ClientError) -> str:
    """The service's error code (what adapters map to domain errors; never the message)."""
    return str(error.response.get("Error", {}).get("Code", ""))
