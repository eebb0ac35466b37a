"""The cold-start benchmark's snippets still run: `make bench` is not in `make test`, so a
renamed entry point would otherwise only break the benchmark. One interpreter runs them
all (a fresh one per snippet, as the benchmark measures, took ~25 s of the suite)."""

import pytest

from bench.cold_start import BASELINE, SERVICES, run_each_once

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def times() -> dict[str, float]:
    return run_each_once({"baseline": BASELINE, **SERVICES})


@pytest.mark.parametrize("name", ["baseline", *sorted(SERVICES)])
def test_each_cold_start_snippet_runs(times: dict[str, float], name: str) -> None:
    assert name in times  # it ran to its end (a failing snippet fails the whole run)


def test_a_snippet_that_no_longer_imports_fails_the_run() -> None:
    with pytest.raises(Exception, match="exit status"):
        run_each_once({"gone": "import clubs.no_such_handler"})
