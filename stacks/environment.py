"""The environment a function gets from a stage's values by settings field name
(`shared/settings.py`): the variables of the settings it reads, no more. The stacks hold the
values of a stage (`stacks/constructs/reach.py::stage_values`), the local platform its own
(`local/platform.py`); neither writes a variable's name."""

from collections.abc import Mapping

from shared.settings import EnvironmentSettings


def function_environment(
    settings: tuple[type[EnvironmentSettings], ...], values: Mapping[str, object]
) -> dict[str, str]:
    """The variables of every settings model a function reads (a required field without a
    value is refused: `EnvironmentSettings.variables`)."""
    environment: dict[str, str] = {}
    for model in settings:
        environment.update(model.variables(values))
    return environment


def queue_url_field(name: str) -> str:
    """The settings field that carries a consumer's or worker's queue URL (`StravaSync` ->
    `strava_sync_queue_url`): the function that postpones or sends to it reads it."""
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in name).lstrip("_")
    return f"{snake}_queue_url"
