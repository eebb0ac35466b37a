"""Build, documentation and CI tools: the OpenAPI document and its breaking-change check,
the event and model docs, the API reference page, the fuzzing campaign. Not part of the
emulator (`local/`) nor of any function.

Like a Lambda's asset root, `services/` is on the import path of everything here (the
OpenAPI document is read from the handlers).
"""

import sys
from pathlib import Path

_SERVICES = str(Path(__file__).resolve().parent.parent / "services")
if _SERVICES not in sys.path:
    sys.path.insert(0, _SERVICES)
