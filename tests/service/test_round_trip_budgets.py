"""Every route measured by `make bench`'s round-trip count stays within its budget (a
count of DynamoDB calls, not a time: it fails the same way on any machine)."""

import os
from collections.abc import Iterator

import pytest

from bench.round_trips import measure_routes
from shared.api.idempotency import _idempotent

pytestmark = pytest.mark.service


@pytest.fixture
def own_environment() -> Iterator[None]:
    """The bench sets the functions' variables for itself (its own table) as a fresh
    process would: the idempotency layer built for another table is dropped around it."""
    saved = dict(os.environ)
    _idempotent.cache_clear()
    yield
    _idempotent.cache_clear()
    os.environ.clear()
    os.environ.update(saved)


def test_every_measured_route_answers_within_its_round_trip_budget(
    own_environment: None,
) -> None:
    measures = measure_routes()

    assert len(measures) >= 40
    assert [m for m in measures if m.status >= 500] == []
    assert [m for m in measures if not m.within] == []
