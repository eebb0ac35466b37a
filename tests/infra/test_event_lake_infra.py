"""The event lake on the synthesized templates (`docs/event-lake.md`): the Glue table
declares what the writer writes and where, finds partitions by projection; the Athena
workgroup enforces encrypted results and a scan limit; every named query is deployed; the
lake and the results expire; the writer may put objects under the lake's folder only."""

import json
from typing import Any

import pytest

from shared.event_catalog import CATALOG
from shared.lake import COLUMNS, EVENTS_FOLDER, RESULTS_FOLDER, named_queries
from stacks.consumers import EVENT_LAKE
from tests.infra.conftest import Synth

pytestmark = [pytest.mark.infra, pytest.mark.xdist_group("infra")]


def _one(synth: Synth, stage: str, kind: str) -> dict[str, Any]:
    (resource,) = synth.resources(stage, "Data", kind).values()
    properties: dict[str, Any] = resource["Properties"]
    return properties


def test_the_glue_table_declares_the_writers_columns_and_projects_its_partitions(
    synth: Synth,
) -> None:
    table = _one(synth, "prod", "AWS::Glue::Table")["TableInput"]
    database = _one(synth, "prod", "AWS::Glue::Database")["DatabaseInput"]["Name"]

    assert database == "sydney_cycling_prod_lake"
    columns = table["StorageDescriptor"]["Columns"]
    assert [(c["Name"], c["Type"]) for c in columns] == [(c.name, c.glue) for c in COLUMNS]
    assert [k["Name"] for k in table["PartitionKeys"]] == ["event_type", "dt"]
    assert "ParquetHiveSerDe" in table["StorageDescriptor"]["SerdeInfo"]["SerializationLibrary"]
    location = json.dumps(table["StorageDescriptor"]["Location"])
    assert '{"Ref": "Assets' in location and f'/{EVENTS_FOLDER}"' in location
    parameters = table["Parameters"]
    assert parameters["projection.enabled"] == "true"
    assert set(parameters["projection.event_type.values"].split(",")) == set(CATALOG)
    assert parameters["projection.dt.range"].endswith(",NOW")
    assert "event_type=${event_type}/dt=${dt}/" in json.dumps(
        parameters["storage.location.template"]
    )


def test_the_workgroup_enforces_encrypted_results_and_a_scan_limit(synth: Synth) -> None:
    for stage in ("dev", "prod"):
        workgroup = _one(synth, stage, "AWS::Athena::WorkGroup")
        configuration = workgroup["WorkGroupConfiguration"]

        assert workgroup["Name"] == f"sydney-cycling-{stage}-analytics"
        assert configuration["EnforceWorkGroupConfiguration"] is True
        assert 10_000_000 <= configuration["BytesScannedCutoffPerQuery"] <= 10_000_000_000
        results = configuration["ResultConfiguration"]
        assert results["EncryptionConfiguration"]["EncryptionOption"] == "SSE_S3"
        assert f'/{RESULTS_FOLDER}"' in json.dumps(results["OutputLocation"])
        assert configuration["EngineVersion"]["SelectedEngineVersion"] == "Athena engine version 3"
        # Dev's stack deletes cleanly; prod keeps the workgroup's history.
        assert workgroup["RecursiveDeleteOption"] is (stage == "dev")


def test_every_named_query_is_in_the_workgroup_and_the_database(synth: Synth) -> None:
    deployed = {
        q["Properties"]["Name"]: q["Properties"]
        for q in synth.resources("prod", "Data", "AWS::Athena::NamedQuery").values()
    }

    assert set(deployed) == set(named_queries()) and len(deployed) >= 4
    for name, query in deployed.items():
        assert query["QueryString"] == named_queries()[name].sql
        assert query["Database"] == "sydney_cycling_prod_lake"
        assert query["WorkGroup"] == "sydney-cycling-prod-analytics"
        assert 0 < len(query["Description"]) <= 1024


def test_the_lake_and_the_query_results_expire(synth: Synth) -> None:
    for stage, days in (("dev", 30), ("prod", 730)):
        buckets = synth.resources(stage, "Data", "AWS::S3::Bucket").values()
        rules = [
            rule
            for bucket in buckets
            for rule in bucket["Properties"].get("LifecycleConfiguration", {}).get("Rules", [])
        ]
        expiry = {rule.get("Prefix"): rule.get("ExpirationInDays") for rule in rules}
        assert expiry[EVENTS_FOLDER] == days
        assert expiry[RESULTS_FOLDER] == 7


def test_the_writer_puts_under_the_lake_folder_and_nothing_else(synth: Synth) -> None:
    granted = synth.granted("prod", "Integration", f"{EVENT_LAKE.name}Consumer")
    s3 = [s for s in granted if any(str(a).startswith("s3:") for a in _actions(s))]
    dynamodb = [s for s in granted if any(str(a).startswith("dynamodb:") for a in _actions(s))]

    assert [_actions(s) for s in s3] == [["s3:PutObject"]]
    assert f'/{EVENTS_FOLDER}*"' in json.dumps(s3[0]["Resource"])
    assert dynamodb == []  # it reads the queue, writes S3, and touches no item


def test_the_writer_gathers_batches_within_its_queues_visibility(synth: Synth) -> None:
    template = synth.template_json("prod", "Integration")["Resources"]
    mappings = [
        r["Properties"]
        for r in template.values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping"
        and EVENT_LAKE.name in json.dumps(r["Properties"]["FunctionName"])
    ]
    (mapping,) = mappings
    assert (mapping["BatchSize"], mapping["MaximumBatchingWindowInSeconds"]) == (1000, 300)
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def _actions(statement: dict[str, Any]) -> list[str]:
    actions = statement["Action"]
    return [actions] if isinstance(actions, str) else list(actions)
