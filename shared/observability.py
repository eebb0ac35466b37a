"""Logger, Tracer and Metrics singletons shared by every handler.

Service name and metrics namespace come from POWERTOOLS_* variables set by the service
construct. The tracer patches botocore only: patching every supported library costs cold
start time for libraries the functions never use.
"""

import warnings

from aws_lambda_powertools import Logger, Metrics, Tracer

# Reads publish no business metric by design; Powertools would warn on each of them.
warnings.filterwarnings("ignore", message="No application metrics to publish")

logger = Logger()
tracer = Tracer(patch_modules=["botocore"])
metrics = Metrics()
