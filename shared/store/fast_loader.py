"""A botocore data loader without two habits that cost every cold start ~20 ms (`make bench`).

Creating the first client is most of what botocore costs a function's init, and most of
that is reading its data files:
- to check that a service exists, botocore walks every service folder it ships (~400
  folders, ~2,700 file checks) to list those with a model of the asked type; the folder
  names are enough (a misspelt service still fails: no model file is found for it);
- it parses its JSON into OrderedDicts (a Python 2 habit; dicts keep their order), which
  doubles the parse of its 1.2 MB endpoints file.

In Lambda, botocore is the runtime's copy, which AWS updates on its own schedule; both
overrides touch botocore internals, so `botocore_loader` gives botocore's own loader when
those internals are not what this module expects (a unit test pins the expectation).
"""

import inspect
import json
import os
from collections.abc import Callable
from typing import IO, Any

from botocore.loaders import JSONFileLoader, Loader, create_loader


class _PlainJSONFileLoader(JSONFileLoader):
    def _load_file(self, full_path: str, open_method: Callable[..., IO[bytes]]) -> Any:
        if not os.path.isfile(full_path):
            return None
        with open_method(full_path, "rb") as file:
            return json.loads(file.read().decode("utf-8"))


class FastLoader(Loader):
    FILE_LOADER_CLASS = _PlainJSONFileLoader

    def list_available_services(self, type_name: str) -> list[str]:
        if self._service_names is None:
            self._service_names = sorted(
                {name for folder in self._potential_locations() for name in os.listdir(folder)}
            )
        return self._service_names

    _service_names: list[str] | None = None


def _parameters(function: object) -> list[str] | None:
    return list(inspect.signature(function).parameters) if callable(function) else None


def internals_as_expected() -> bool:
    """What the overrides rely on: botocore's loader reads files through
    `_load_file(full_path, open_method)` of its FILE_LOADER_CLASS and finds folders with
    `_potential_locations`."""
    return (
        getattr(Loader, "FILE_LOADER_CLASS", None) is JSONFileLoader
        and callable(getattr(Loader, "_potential_locations", None))
        and _parameters(getattr(JSONFileLoader, "_load_file", None))
        == ["self", "full_path", "open_method"]
    )


def botocore_loader(data_path: str | None) -> Loader:
    """The loader for a session whose `data_path` setting (AWS_DATA_PATH) is given: the
    same search path as botocore's own loader."""
    if not internals_as_expected():
        return create_loader(data_path)
    extra = None
    if data_path:
        extra = [os.path.expanduser(os.path.expandvars(p)) for p in data_path.split(os.pathsep)]
    return FastLoader(extra_search_paths=extra)
