"""The local platform: moto as AWS, a gateway that behaves like API Gateway, real handlers.

Like a Lambda's asset root, `services/` is on the import path of everything here.
"""

import sys
from pathlib import Path

_SERVICES = str(Path(__file__).resolve().parent.parent / "services")
if _SERVICES not in sys.path:
    sys.path.insert(0, _SERVICES)
