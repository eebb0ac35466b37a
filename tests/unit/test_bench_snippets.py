"""The cold-start benchmark's snippets still run: `make bench` is not in `make test`, so a
renamed entry point would otherwise only break the benchmark."""

import pytest

from bench.cold_start import BASELINE, SERVICES, _lambda_like_env, _sample

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_cold_start_snippet_runs(name: str) -> None:
    assert _sample(SERVICES[name], _lambda_like_env()) > 0


def test_the_baseline_runs() -> None:
    assert _sample(BASELINE, _lambda_like_env()) > 0
