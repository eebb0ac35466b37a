"""The local platform's workers host every function, yet each function sees exactly its
own variables, as in its own Lambda environment."""

import pytest

from local.workers import HandlerPool

pytestmark = pytest.mark.unit

ECHO = "tests.fixtures.environment_echo.handler"
OTHER = "tests.fixtures.environment_echo.other"


def test_each_function_sees_its_own_variables_and_no_others() -> None:
    pool = HandlerPool(
        {"SHARED": "everyone"},
        {ECHO: {"MINE": "echo"}, OTHER: {"THEIRS": "other"}},
        workers=1,
    )
    try:
        names = {"names": ["SHARED", "MINE", "THEIRS"]}
        # One worker runs both in turn: what one was given never leaks to the other.
        for _ in range(2):
            assert pool.invoke(ECHO, names) == {
                "SHARED": "everyone",
                "MINE": "echo",
                "THEIRS": None,
            }
            assert pool.invoke(OTHER, names) == {
                "SHARED": "everyone",
                "MINE": None,
                "THEIRS": "other",
            }
    finally:
        pool.close()


def test_an_undeclared_function_does_not_run() -> None:
    pool = HandlerPool({}, {ECHO: {}}, workers=1)
    try:
        with pytest.raises(KeyError):
            pool.invoke(OTHER, {"names": []})
    finally:
        pool.close()
