"""Secrets (Secrets Manager) and settings other stacks publish (SSM Parameter Store),
read through Powertools parameters with a cache, so a warm function asks at most once per
`max_age`. Imported lazily: the providers build boto3 clients, which only the functions
that need them should pay for at cold start."""

from typing import Any

SECRET_MAX_AGE_SECONDS = 300
PARAMETER_MAX_AGE_SECONDS = 3600


def secret_value(name: str) -> str:
    from aws_lambda_powertools.utilities import parameters

    value: Any = parameters.get_secret(name, max_age=SECRET_MAX_AGE_SECONDS)
    return value if isinstance(value, str) else bytes(value).decode()


def parameter_value(name: str) -> str:
    from aws_lambda_powertools.utilities import parameters

    return str(parameters.get_parameter(name, max_age=PARAMETER_MAX_AGE_SECONDS))
