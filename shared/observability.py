"""Logger, Tracer and Metrics singletons shared by every handler, and the one decorator
order every Lambda entry point uses.

Service name and metrics namespace come from POWERTOOLS_* variables set by the service
construct. The tracer patches botocore only: patching every supported library costs cold
start time for libraries the functions never use.
"""

import os
import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

import shared.snapstart  # noqa: F401 (registers the after-restore hook with SnapStart)

# Reads publish no business metric by design; Powertools would warn on each of them.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger()
tracer = Tracer(patch_modules=["botocore"])
metrics = Metrics()


def instrumented[Result](
    function: Callable[[Any, Any], Result], *, correlation_id_path: str | None = None
) -> Callable[[Any, Any], Result]:
    """`function(event, context)` as a Lambda entry point: Lambda context (and a
    correlation id, where the event has one) in every log line, a trace segment, and the
    invocation's metrics flushed at its end."""
    traced = tracer.capture_lambda_handler(metrics.log_metrics(function))
    return logger.inject_lambda_context(correlation_id_path=correlation_id_path)(traced)


def count(name: str, **dimensions: str) -> None:
    """One count of `name` with its own dimensions, flushed at once (for metrics whose
    dimensions differ between the records of one invocation). Keep dimension values to a
    small fixed set: each combination is a metric CloudWatch bills for."""
    measure(name, 1, MetricUnit.Count, **dimensions)


def measure(name: str, value: float, unit: MetricUnit, **dimensions: str) -> None:
    """One value of `name` (a duration, a size), flushed at once, as `count` does."""
    # single_metric does not ask the switch that Metrics honours.
    if is_metrics_disabled():
        return
    with single_metric(name=name, unit=unit, value=value) as metric:
        for key, value_of in dimensions.items():
            metric.add_dimension(name=key, value=value_of)


def count_unhandled_error() -> None:
    """A bug, counted with the function's version: what CodeDeploy's alarm on the version
    being deployed watches (stacks/constructs/service_function.py)."""
    count(
        "UnhandledError",
        service=os.environ.get("POWERTOOLS_SERVICE_NAME", "api"),
        version=os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
    )
