"""SnapStart's after-restore hook: registered with Lambda's runtime module when there is
one, and it gives each restored environment its own random numbers."""

import importlib
import random
import sys
import types
from collections.abc import Callable

import pytest

import shared.snapstart


def test_each_restored_environment_draws_its_own_numbers() -> None:
    random.seed(7)
    in_snapshot = [random.random() for _ in range(3)]
    random.seed(7)  # a second environment restored from the same snapshot...
    shared.snapstart.reseed_after_restore()  # ...reseeded by the hook
    assert [random.random() for _ in range(3)] != in_snapshot


def test_the_hook_is_registered_where_lambda_provides_the_module(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registered: list[Callable[[], None]] = []
    runtime = types.ModuleType("snapshot_restore_py")
    runtime.register_after_restore = registered.append  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "snapshot_restore_py", runtime)

    reloaded = importlib.reload(shared.snapstart)

    assert [hook.__name__ for hook in registered] == [reloaded.reseed_after_restore.__name__]
