"""A restored table can take over by a deploy (docs/runbooks/data.md): no stack imports
the table from the data stack (an export cannot change while imported), the publisher
reads the stream's ARN from the data stack's parameter, and a stage synthesized with
`restored_table` points every function, grant, the publisher, the backups and the
alarms at the restored table, leaving the data stack's own in place."""

import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App

from shared.names import table_stream_parameter
from stacks.app_builder import build_platform, cdk_json_context
from stacks.config import load_stage
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]

USERS = ("Identity", "Integration", "Api")
RESTORED = "sydney-cycling-staging-drill-20261204T061200"
RESTORED_STREAM = (
    f"arn:aws:dynamodb:ap-southeast-2:123456789012:table/{RESTORED}/stream/2026-12-04T06:30:00.000"
)


def test_no_stack_imports_the_table_from_the_data_stack(synth: Synth) -> None:
    exports = synth.template_json("prod", "Data")["Outputs"]
    table_exports = {
        o["Export"]["Name"] for name, o in exports.items() if "Table" in name and "Export" in o
    }
    for stack in USERS:
        text = json.dumps(synth.template_json("prod", stack))
        assert not [name for name in table_exports if name in text], stack
    # Phase one of the exports' retirement: still exported, for the stacks deployed before.
    assert len(table_exports) == 3


def test_the_publisher_reads_the_stream_from_the_data_stacks_parameter(synth: Synth) -> None:
    template = synth.template_json("prod", "Integration")
    (mapping,) = [
        r["Properties"]
        for r in template["Resources"].values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping" and "StartingPosition" in r["Properties"]
    ]
    parameter = template["Parameters"][mapping["EventSourceArn"]["Ref"]]
    assert parameter["Type"] == "AWS::SSM::Parameter::Value<String>"
    assert parameter["Default"] == table_stream_parameter("prod")
    (published,) = [
        r["Properties"]
        for r in synth.resources("prod", "Data", "AWS::SSM::Parameter").values()
        if r["Properties"]["Name"] == table_stream_parameter("prod")
    ]
    assert published["Value"] == {"Fn::GetAtt": [_table_id(synth), "StreamArn"]}


def _table_id(synth: Synth) -> str:
    (table,) = synth.resources("prod", "Data", "AWS::DynamoDB::Table")
    return table


@pytest.fixture(scope="module")
def restored(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """Staging's templates with a restored table taking over (staging: it has backups)."""
    outdir = tmp_path_factory.mktemp("restored")
    app = App(outdir=str(outdir), context={**cdk_json_context(), "aws:cdk:bundling-stacks": []})
    config = load_stage(
        "staging", {"restored_table": RESTORED, "restored_table_stream": RESTORED_STREAM}
    )
    build_platform(app, config)
    app.synth()
    return {
        path.name.split("-")[-1].removesuffix(".template.json"): json.loads(path.read_text())
        for path in Path(outdir).glob("*.template.json")
    }


def test_a_restored_table_takes_over_every_use_of_the_table(
    restored: dict[str, dict[str, Any]],
) -> None:
    names = [
        variables["TABLE_NAME"]
        for stack in USERS
        for r in restored[stack]["Resources"].values()
        if r["Type"] == "AWS::Lambda::Function"
        if (variables := r["Properties"].get("Environment", {}).get("Variables", {}))
        and "TABLE_NAME" in variables
    ]
    assert len(names) >= 20 and set(names) == {RESTORED}
    for stack in USERS:
        text = json.dumps(restored[stack])
        # Grants name the restored table; the stage's own appears nowhere.
        assert f"table/{RESTORED}" in text, stack
        assert 'table/sydney-cycling-staging"' not in text, stack
        assert "table/sydney-cycling-staging/" not in text, stack
    (mapping,) = [
        r["Properties"]
        for r in restored["Integration"]["Resources"].values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping" and "StartingPosition" in r["Properties"]
    ]
    assert mapping["EventSourceArn"] == RESTORED_STREAM
    backups = json.dumps(
        [
            r
            for r in restored["Data"]["Resources"].values()
            if r["Type"] == "AWS::Backup::BackupSelection"
        ]
    )
    assert f"table/{RESTORED}" in backups
    alarms = json.dumps(restored["Observability"]["Resources"])
    assert f'"Value": "{RESTORED}"' in alarms and '"Value": "sydney-cycling-staging"' not in alarms
    # The data stack keeps its own table (retained) for forensics.
    (table,) = [
        r for r in restored["Data"]["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"
    ]
    assert table["Properties"]["TableName"] == "sydney-cycling-staging"
