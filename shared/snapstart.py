"""What SnapStart needs from the code (when a stage turns it on, `-c snap_start=true`): every
execution environment restored from one snapshot starts with the same memory, so the
`random` generator (retry jitter) would draw the same numbers in all of them; it is
reseeded from the OS after each restore. Nothing else is captured: AWS clients open their
connections on first use, in the invocation, not at init."""

import random


def reseed_after_restore() -> None:
    random.seed()  # from os.urandom: each restored environment draws its own numbers


try:  # Lambda's Python runtime provides the hook module; elsewhere nothing is restored
    from snapshot_restore_py import register_after_restore  # type: ignore[import-not-found]
except ImportError:
    pass
else:  # pragma: no cover - only inside Lambda
    register_after_restore(reseed_after_restore)
