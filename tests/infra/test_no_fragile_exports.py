"""No stack exports a name that may change: functions and queues are watched by their
fixed names, so only the long-lived data and identity resources travel as exports."""

import pytest

from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def _exports(synth: Synth, stack: str) -> list[str]:
    outputs = synth.template_json("prod", stack).get("Outputs", {})
    return sorted(name for name, output in outputs.items() if "Export" in output)


def test_only_the_table_the_key_and_the_user_pool_are_exported(synth: Synth) -> None:
    for stack in ("Api", "Integration", "Observability"):
        assert _exports(synth, stack) == [], stack
    assert all("UserPool" in name for name in _exports(synth, "Identity"))
    assert all(
        "Table" in name or "IntegrationSecretsKey" in name for name in _exports(synth, "Data")
    )


def test_functions_and_dead_letter_queues_have_fixed_names(synth: Synth) -> None:
    for stack in ("Api", "Identity", "Integration"):
        for name, function in synth.resources("prod", stack, "AWS::Lambda::Function").items():
            properties = function["Properties"]
            if properties.get("Layers") and properties["Handler"] != "deployment.smoke.handler":
                assert properties["FunctionName"].startswith("sydney-cycling-prod-"), name
    queues = synth.resources("prod", "Integration", "AWS::SQS::Queue").values()
    named = [q["Properties"]["QueueName"] for q in queues if "QueueName" in q["Properties"]]
    assert len(named) >= 9 and all(n.endswith("-dead-letters") for n in named)
