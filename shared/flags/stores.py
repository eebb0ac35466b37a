"""The stores flags are read from: AppConfig through Powertools in AWS, the committed file
(with a developer's overrides) elsewhere. Imported on the first evaluation, not at init:
most requests of the functions that read flags never evaluate one."""

import json
import os
from pathlib import Path
from typing import Any

from aws_lambda_powertools.utilities.feature_flags import AppConfigStore, FeatureFlags
from aws_lambda_powertools.utilities.feature_flags.base import StoreProvider
from aws_lambda_powertools.utilities.feature_flags.exceptions import ConfigurationStoreError

from shared.observability import logger

# How long a function reuses what AppConfig said before asking again.
CACHE_SECONDS = 60


class FileStore(StoreProvider):
    """The flags document from a file, with a developer's overrides (flag -> value) on top;
    read again whenever either file changes."""

    def __init__(self, document: Path, overrides: Path | None = None) -> None:
        super().__init__()
        self.document = document
        self.overrides = overrides
        self._seen: tuple[tuple[int, int], tuple[int, int]] | None = None
        self._config: dict[str, Any] = {}

    def _stamp(self) -> tuple[tuple[int, int], tuple[int, int]]:
        def version(path: Path | None) -> tuple[int, int]:
            if path is None or not path.exists():
                return (0, 0)
            stat = path.stat()
            return stat.st_mtime_ns, stat.st_size

        return version(self.document), version(self.overrides)

    @property
    def get_raw_configuration(self) -> dict[str, Any]:
        stamp = self._stamp()
        if stamp != self._seen:
            try:
                config = json.loads(self.document.read_text())
                if self.overrides and self.overrides.exists():
                    for name, value in json.loads(self.overrides.read_text()).items():
                        spec = {k: v for k, v in config.get(name, {}).items() if k != "rules"}
                        config[name] = {**spec, "default": value}  # rules no longer apply
            except (OSError, ValueError) as error:
                raise ConfigurationStoreError(f"flags file unreadable: {error}") from error
            self._config, self._seen = config, stamp
        return self._config

    def get_configuration(self) -> dict[str, Any]:
        return self.get_raw_configuration


def _store(document: Path) -> StoreProvider:
    env = os.environ
    if env.get("FEATURE_FLAGS_APPLICATION"):
        return AppConfigStore(
            environment=env["FEATURE_FLAGS_ENVIRONMENT"],
            application=env["FEATURE_FLAGS_APPLICATION"],
            name=env["FEATURE_FLAGS_PROFILE"],
            max_age=CACHE_SECONDS,
        )
    overrides = env.get("FEATURE_FLAGS_OVERRIDES")
    return FileStore(
        Path(env.get("FEATURE_FLAGS_FILE") or document), Path(overrides) if overrides else None
    )


def build_flags(document: Path) -> FeatureFlags:
    return FeatureFlags(store=_store(document), logger=logger)
