"""Every function is built from its declaration (`stacks/contexts.py`, `stacks/consumers.py`):
its environment holds the variables of the settings it reads and the platform's own, no
more; and it may read exactly the SSM parameters and secrets that environment names."""

from typing import Any

import pytest

from shared.settings import EnvironmentSettings
from stacks.consumers import CONSUMERS, PUBLISHER_HANDLER, PUBLISHER_SETTINGS, WORKERS
from stacks.contexts import CONTEXTS, TRIGGERS
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

DECLARED: dict[str, tuple[tuple[type[EnvironmentSettings], ...], bool]] = {
    **{c.handler: (c.all_settings, c.feature_flags) for c in CONTEXTS.values()},
    **{t.handler: (t.settings, False) for t in TRIGGERS},
    PUBLISHER_HANDLER: (PUBLISHER_SETTINGS, False),
    **{c.handler: (c.all_settings, c.feature_flags) for c in CONSUMERS},
    **{w.handler: (w.all_settings, False) for w in WORKERS},
}
# What every function gets from the platform (`stacks/constructs/service_function.py`).
PLATFORM = {
    "POWERTOOLS_SERVICE_NAME",
    "POWERTOOLS_METRICS_NAMESPACE",
    "POWERTOOLS_LOG_LEVEL",
    "PYDANTIC_DISABLE_PLUGINS",
}
FLAGS = {"FEATURE_FLAGS_APPLICATION", "FEATURE_FLAGS_ENVIRONMENT", "FEATURE_FLAGS_PROFILE"}
STACKS = ("Identity", "Api", "Integration")


def _functions(synth: Synth, stage: str) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(stack, function, template) of every function built from a declaration."""
    found = []
    for stack in STACKS:
        template = synth.template_json(stage, stack)
        for resource in template["Resources"].values():
            handler = resource["Properties"].get("Handler")
            if resource["Type"] == "AWS::Lambda::Function" and handler in DECLARED:
                found.append((stack, resource, template))
    return found


def _text(value: Any) -> str:
    """A CloudFormation string with its references written out (`<Ref>`)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return separator.join(_text(part) for part in parts)
    if isinstance(value, dict) and "Ref" in value:
        return f"<{value['Ref']}>"
    return repr(value)


def _granted(template: dict[str, Any], function: dict[str, Any]) -> list[dict[str, Any]]:
    role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    return [
        statement
        for resource in template["Resources"].values()
        if resource["Type"] == "AWS::IAM::Policy"
        and {"Ref": role} in resource["Properties"]["Roles"]
        for statement in resource["Properties"]["PolicyDocument"]["Statement"]
        if statement.get("Effect") == "Allow"
    ]


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)


def _resources(statement: dict[str, Any]) -> list[str]:
    resources = statement["Resource"]
    return [_text(r) for r in (resources if isinstance(resources, list) else [resources])]


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_every_declared_function_is_built(synth: Synth, stage: str) -> None:
    handlers = [f["Properties"]["Handler"] for _, f, _ in _functions(synth, stage)]
    assert sorted(handlers) == sorted(DECLARED)


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_a_function_gets_the_variables_of_its_settings_and_no_more(
    synth: Synth, stage: str
) -> None:
    for _, function, _ in _functions(synth, stage):
        handler = function["Properties"]["Handler"]
        settings, flags = DECLARED[handler]
        variables = set(function["Properties"]["Environment"]["Variables"])
        fields = {
            name.upper(): field for model in settings for name, field in model.model_fields.items()
        }
        required = {name for name, field in fields.items() if field.is_required()}
        own = variables - PLATFORM - (FLAGS if flags else set()) - {"SMOKE_READ"}
        assert required <= own <= set(fields), handler
        assert variables >= PLATFORM, handler
        assert (variables >= FLAGS) == flags, handler
        assert ("SMOKE_READ" in variables) == handler.endswith(".handler.handler"), handler


@pytest.mark.parametrize("stage", ["dev", "prod"])
def test_a_function_reads_the_parameters_and_secrets_it_names_and_no_others(
    synth: Synth, stage: str
) -> None:
    for _, function, template in _functions(synth, stage):
        variables = function["Properties"]["Environment"]["Variables"]
        granted = _granted(template, function)
        parameters = sorted(
            resource.rsplit(":parameter", 1)[1]
            for statement in granted
            if "ssm:GetParameter" in _actions(statement)
            for resource in _resources(statement)
        )
        named = sorted(v for k, v in variables.items() if k.endswith("_PARAMETER") and v)
        assert parameters == named, function["Properties"]["Handler"]
        secrets = sorted(
            resource.split(":secret:", 1)[1].removesuffix("-??????")
            for statement in granted
            if "secretsmanager:GetSecretValue" in _actions(statement)
            for resource in _resources(statement)
        )
        named = sorted(v for k, v in variables.items() if k.endswith(("_SECRET_NAME", "_KEY_NAME")))
        assert secrets == named, function["Properties"]["Handler"]


@pytest.mark.parametrize("context", sorted(CONTEXTS))
def test_every_api_function_may_read_the_deleted_accounts(synth: Synth, context: str) -> None:
    """Every route refuses a deleted account's tokens from a list each API function reads
    with a Query of GSI1 (`shared/api/revoked_accounts.py`); a function denied it would
    refuse nobody, silently."""
    granted = synth.granted("prod", "Api", f"{context.title()}Service")
    queries_gsi1 = [
        s
        for s in granted
        if "dynamodb:Query" in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])
        and any("/index/GSI1" in str(r) for r in _listed(s["Resource"]))
    ]
    assert queries_gsi1, context


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
