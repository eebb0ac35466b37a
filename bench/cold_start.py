"""Cold-start init of a service Lambda, as a ratio to a baseline in the same run.

Each sample is a fresh interpreter (a new execution environment) that measures, inside
itself, the CPU time of importing the handler and building its clients (CPU rather than
wall time: it is what an import costs, and far less noisy on a shared machine). The
baseline is what every Python Lambda using DynamoDB pays: `import boto3` and one DynamoDB
client. Samples
alternate between the two so machine noise hits both alike, and the fastest sample of each
side is compared (the least disturbed run; medians swing by ±0.3x on a shared 2-core VM).

Both sides run on the project's Python and, when `make bench` could build it, again on the
Lambda runtime's Python 3.12 (`.venv-lambda`, the functions' requirements only): the
interpreter version moves the ratio by ~0.1x, and 3.12 is what Lambda runs.
"""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from shared.settings import NotificationDeliverySettings, Settings

REPO_ROOT = Path(__file__).resolve().parent.parent
LAMBDA_VENV = REPO_ROOT / ".venv-lambda"

BASELINE = "import boto3\nboto3.client('dynamodb')"
SERVICES = {
    "clubs": "import clubs.handler as h\nh.get_store()",
    "memberships": "import memberships.handler as h\nh.get_store()",
    "rides": "import rides.handler as h\nh.get_store()",
    "users": "import users.handler as h\nh.get_store()",
    "identity.pre_token_generation": "import identity.pre_token_generation as t\nt.app_table()",
    "clubs.counts": "import clubs.counts as c\nc.app_table()",
    "notifications": "import notifications.handler as h\nh.get_store()",
    "notifications.consumer": "import notifications.consumer as c\nc.get_dispatcher()",
    "webhooks": "import webhooks.handler as h\nh.get_store()",
    "webhooks.delivery": "import webhooks.delivery as d\nd.WebhookStore(d.app_table())",
    "strava": "import strava.handler as h\nh.get_store()",
    "strava.sync": "import strava.sync as s\ns.StravaStore(s.app_table())",
    "media": "import media.handler as h\nh.get_store()",
    "media.processor": "import media.processor as p\np.get_store()",
    "media.route_publisher": "import media.route_publisher as r\nr.get_store()",
    "deployment.smoke": "import deployment.smoke as s\ns._clients()",
}
_TIMER = """
import time
_start = time.process_time()
{code}
print(time.process_time() - _start)
"""


@dataclass
class ColdStart:
    name: str
    baseline_ms: float
    service_ms: float

    @property
    def ratio(self) -> float:
        return self.service_ms / self.baseline_ms


def _lambda_like_env() -> dict[str, str]:
    """What the Lambda runtime sets, so libraries take their in-Lambda paths."""
    return {
        **os.environ,
        "PYTHONPATH": f"{REPO_ROOT}{os.pathsep}{REPO_ROOT / 'services'}",
        "PYTHONDONTWRITEBYTECODE": "",
        "LAMBDA_TASK_ROOT": str(REPO_ROOT / "services"),
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_REGION": "ap-southeast-2",
        "AWS_DEFAULT_REGION": "ap-southeast-2",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        # The notifications consumer builds its dispatcher from its settings.
        **NotificationDeliverySettings.variables(
            {
                "stage": "bench",
                "table_name": "bench",
                "push_applications": {},
                "signing_secret_name": "bench",
                "email_sender": "bench@example.com",
                "api_url_parameter": "/bench",
                "reminder_group": "bench",
                "reminder_queue_arn": "arn:aws:sqs:ap-southeast-2:000000000000:bench",
                "reminder_role_arn": "arn:aws:iam::000000000000:role/bench",
                "reminder_dead_letter_arn": "arn:aws:sqs:ap-southeast-2:000000000000:bench-dlq",
            }
        ),
        **Settings.variables({"stage": "bench", "table_name": "bench"}),
        "POWERTOOLS_SERVICE_NAME": "bench",
        "POWERTOOLS_METRICS_NAMESPACE": "Bench",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
    }


def interpreters() -> list[str]:
    """The project's Python, and the runtime's when its environment is complete."""
    found = [sys.executable]
    if (LAMBDA_VENV / ".installed").exists():
        found.append(str(LAMBDA_VENV / "bin" / "python"))
    return found


def _sample(code: str, env: dict[str, str], python: str = sys.executable) -> float:
    out = subprocess.run(
        [python, "-c", _TIMER.format(code=code)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(out.strip().splitlines()[-1]) * 1000


_EACH_ONCE = """
import json, sys, time
times = {{}}
for name, code in json.loads(sys.argv[1]).items():
    start = time.process_time()
    exec(code, {{}})
    times[name] = time.process_time() - start
print(json.dumps(times))
"""


def run_each_once(snippets: dict[str, str]) -> dict[str, float]:
    """Every snippet once, in one interpreter (warm after the first): a check that each
    still runs, not a measurement. A failing snippet fails the whole run with its error."""
    out = subprocess.run(
        [sys.executable, "-c", _EACH_ONCE.format(), json.dumps(snippets)],
        env=_lambda_like_env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    times: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return times


def measure(samples: int = 9, python: str = sys.executable) -> list[ColdStart]:
    env = _lambda_like_env()
    # What a layer without bytecode costs: Lambda's /opt is read-only, so every cold start
    # would compile every module (our assets ship .pyc for that reason).
    no_bytecode = {**env, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": "/nonexistent"}
    # Compile every module once so neither side pays bytecode compilation.
    _sample(BASELINE, env, python)
    for code in SERVICES.values():
        _sample(code, env, python)
    results = []
    for name, code in SERVICES.items():
        base, service = [], []
        for _ in range(samples):
            base.append(_sample(BASELINE, env, python))
            service.append(_sample(code, env, python))
        results.append(ColdStart(name, min(base), min(service)))
    base, service = [], []
    for _ in range(3):
        base.append(_sample(BASELINE, env, python))
        service.append(_sample(SERVICES["clubs"], no_bytecode, python))
    results.append(ColdStart("clubs, no .pyc shipped", min(base), min(service)))
    return results


def report(results: list[ColdStart], target: float = 1.5) -> str:
    lines = [
        f"{'function':<30} {'baseline ms':>12} {'init ms':>9} {'ratio':>7}  target <= {target}x"
    ]
    for r in results:
        verdict = "ok" if r.ratio <= target else "above target"
        lines.append(
            f"{r.name:<30} {r.baseline_ms:>12.0f} {r.service_ms:>9.0f} {r.ratio:>6.2f}x  {verdict}"
        )
    return "\n".join(lines)
