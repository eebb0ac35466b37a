"""What the in-process benches give the handlers: a Lambda-like environment and context,
against moto in the same process."""

import os


def use_bench_environment() -> None:
    """The variables every function reads, for a stage called `bench` with table `bench`."""
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_DEFAULT_REGION": "ap-southeast-2",
            "POWERTOOLS_TRACE_DISABLED": "1",
            "POWERTOOLS_METRICS_DISABLED": "1",
            "POWERTOOLS_LOG_LEVEL": "ERROR",
            "STAGE": "bench",
            "TABLE_NAME": "bench",
        }
    )


class LambdaContext:
    """The attributes of a Lambda context the Powertools logger reads."""

    function_name = "bench"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:ap-southeast-2:000000000000:function:bench"
    aws_request_id = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000
