"""The feature-flags document and its readers: the committed document is valid for
Powertools and names exactly the flags the code asks for; the local file store sees a flip
at once; an unreadable store leaves every flag at the document's default."""

import json
import uuid
from pathlib import Path

import pytest
from aws_lambda_powertools.utilities.feature_flags import FeatureFlags
from aws_lambda_powertools.utilities.feature_flags.schema import SchemaValidator

from shared.flags import DEFAULTS, DOCUMENT, Flag, club_bucket, flag_value
from shared.flags.stores import FileStore

DOCUMENTED = json.loads(DOCUMENT.read_text())


def test_the_document_is_a_valid_powertools_schema_naming_every_flag_in_the_code() -> None:
    SchemaValidator(DOCUMENTED).validate()
    assert set(DOCUMENTED) == {flag.value for flag in Flag}
    assert DEFAULTS[Flag.STRAVA_SYNC] is True and DEFAULTS[Flag.REMINDER_LEAD_HOURS] == 0


def test_a_clubs_bucket_is_stable_and_the_rollout_reaches_about_a_quarter_of_clubs() -> None:
    clubs = [str(uuid.UUID(int=n * 7919 + 1)) for n in range(2000)]
    flags = FeatureFlags(store=FileStore(DOCUMENT))

    leads = [
        flags.evaluate(
            name="reminder_lead_hours", context={"club_bucket": club_bucket(c)}, default=0
        )
        for c in clubs
    ]
    share = leads.count(12) / len(clubs)
    assert 0.21 < share < 0.29 and set(leads) == {0, 12}
    assert club_bucket(clubs[0]) == club_bucket(clubs[0])


def test_the_file_store_sees_an_override_on_the_next_evaluation(tmp_path: Path) -> None:
    overrides = tmp_path / "overrides.json"
    flags = FeatureFlags(store=FileStore(DOCUMENT, overrides))
    assert flags.evaluate(name="club_webhooks", default=False) is True

    overrides.write_text(json.dumps({"club_webhooks": False}))
    assert flags.evaluate(name="club_webhooks", default=True) is False
    overrides.write_text(json.dumps({"reminder_lead_hours": 6}))
    in_pilot = next(
        str(uuid.UUID(int=n)) for n in range(500) if club_bucket(str(uuid.UUID(int=n))) < 25
    )
    # An override is the flag's value for everyone: the rollout rule no longer applies.
    context = {"club_bucket": club_bucket(in_pilot)}
    assert flags.evaluate(name="reminder_lead_hours", context=context, default=0) == 6


def test_an_unreadable_store_leaves_each_flag_at_the_documents_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shared import flags as module

    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    monkeypatch.setenv("FEATURE_FLAGS_FILE", str(broken))
    module.feature_flags.cache_clear()
    try:
        assert flag_value(Flag.MEDIA_UPLOADS) is True
        assert flag_value(Flag.REMINDER_LEAD_HOURS, "any-club") == 0
    finally:
        module.feature_flags.cache_clear()
