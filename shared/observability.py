"""Logger, Tracer and Metrics singletons shared by every handler, and the one decorator
order every Lambda entry point uses.

Service name and metrics namespace come from POWERTOOLS_* variables set by the service
construct. The tracer patches botocore only: patching every supported library costs cold
start time for libraries the functions never use.
"""

import warnings
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer

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
