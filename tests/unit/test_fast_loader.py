"""The functions' botocore loader reads the same data as botocore's own, faster."""

import json
import os
from pathlib import Path

import botocore.session
import pytest
from botocore.exceptions import UnknownServiceError
from botocore.loaders import JSONFileLoader, Loader

from shared.store import fast_loader
from shared.store.fast_loader import FastLoader, botocore_loader

pytestmark = pytest.mark.unit


def test_the_pinned_botocore_has_the_internals_the_loader_overrides() -> None:
    # If this fails after a botocore upgrade, the functions silently use botocore's own
    # loader (correct, ~20 ms slower): adapt `fast_loader` to the new internals.
    assert fast_loader.internals_as_expected()
    assert isinstance(botocore_loader(None), FastLoader)


def test_it_knows_every_service_botocore_knows() -> None:
    for kind in ("service-2", "endpoint-rule-set-1"):
        assert set(Loader().list_available_services(kind)) <= set(
            FastLoader().list_available_services(kind)
        )


@pytest.mark.parametrize(
    ("name", "kind"),
    [("endpoints", None), ("dynamodb", "service-2"), ("events", "endpoint-rule-set-1")],
)
def test_it_reads_the_same_data_in_the_same_order(name: str, kind: str | None) -> None:
    ours, botocores = FastLoader(), Loader()
    if kind is None:
        mine, theirs = ours.load_data(name), botocores.load_data(name)
    else:
        mine = ours.load_service_model(name, kind)
        theirs = botocores.load_service_model(name, kind)
    assert type(mine) is dict
    assert json.dumps(mine) == json.dumps(theirs)


def test_a_misspelt_service_still_fails_by_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-southeast-2")
    session = botocore.session.get_session()
    session.register_component("data_loader", botocore_loader(None))
    with pytest.raises(UnknownServiceError):
        session.create_client("dynamodbb")


def test_aws_data_path_comes_first_as_in_botocore(tmp_path: Path) -> None:
    custom = tmp_path / "models"
    (custom / "dynamodb" / "2012-08-10").mkdir(parents=True)
    (custom / "dynamodb" / "2012-08-10" / "service-2.json").write_text('{"custom": true}')
    loader = botocore_loader(os.pathsep.join([str(custom), str(tmp_path / "missing")]))
    assert loader.search_paths[:2] == [str(custom), str(tmp_path / "missing")]
    assert loader.load_service_model("dynamodb", "service-2") == {"custom": True}


def test_other_internals_give_botocores_own_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(JSONFileLoader, "_load_file")
    assert type(botocore_loader(None)) is Loader


def test_a_changed_signature_gives_botocores_own_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    def _load_file(self: JSONFileLoader, full_path: str) -> None:
        return None

    monkeypatch.setattr(JSONFileLoader, "_load_file", _load_file)
    assert type(botocore_loader(None)) is Loader
