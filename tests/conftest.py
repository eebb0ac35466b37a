"""Environment every test starts from: no real AWS is reachable or needed."""

import functools
import gc
import json
import os
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import Any

import botocore.loaders
import botocore.session
import pytest

from local import moto_serializer

# Set before any handler or boto3 client is imported or built.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "ap-southeast-2",
        "AWS_REGION": "ap-southeast-2",
        "STAGE": "test",
        "TABLE_NAME": "sydney-cycling-test",
        "POWERTOOLS_SERVICE_NAME": "test",
        "POWERTOOLS_METRICS_NAMESPACE": "SydneyCyclingTest",
        "POWERTOOLS_TRACE_DISABLED": "1",
        "POWERTOOLS_DEV": "0",
        # The CDK's jsii runtime: quiet about Node 20, no telemetry.
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        "CDK_DISABLE_CLI_TELEMETRY": "1",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)

# moto's mock_aws gives every test a new boto3 session, and each session read the service
# models from disk again (~130 ms a client). The models never change: one loader serves all.
botocore.session.create_loader = functools.cache(botocore.loaders.create_loader)
# The emulator's own DynamoDB serializer, as `make run` uses it (local/moto_serializer.py).
moto_serializer.install()


@pytest.fixture
def flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Turn feature flags for the test: `flags(strava_sync=False)`, as a developer's local
    overrides would (read again on the next evaluation)."""
    from shared.flags import feature_flags

    overrides = tmp_path / "flag-overrides.json"
    monkeypatch.setenv("FEATURE_FLAGS_OVERRIDES", str(overrides))
    feature_flags.cache_clear()

    def set_flags(**values: Any) -> None:
        overrides.write_text(json.dumps(values))

    yield set_flags
    feature_flags.cache_clear()


# The garbage collector's full passes walk every object a worker holds (the CDK's and moto's
# modules, the session's synthesized stacks, the local platform and its moto state): they
# took 85 s of the two workers' 476 s of CPU (gc.callbacks, one clean run). What outlives a
# test module is frozen out of those passes (`gc.freeze`, after one collection), so later
# passes walk only what is newer; what a test makes and drops is collected as before.
@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    gc.collect()
    gc.freeze()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(
    item: pytest.Item, nextitem: pytest.Item | None
) -> Generator[None, None, None]:
    yield  # the module's fixtures are torn down first
    if nextitem is None or nextitem.path != item.path:
        gc.collect()
        gc.freeze()
