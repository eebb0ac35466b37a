"""Every alarm says what to do: its description ends with `Runbook: docs/runbooks/<page>.md`,
a page of this repository (tests/infra/test_runbooks.py checks each alarm of a stage links
one that exists). A page that does not exist fails the synth."""

from stacks.paths import REPO_ROOT

RUNBOOKS = "docs/runbooks"


def runbook(page: str) -> str:
    """The repository path of a runbook page (`api`, `functions`, `dead-letters`...)."""
    path = f"{RUNBOOKS}/{page}.md"
    if not (REPO_ROOT / path).is_file():
        raise ValueError(f"No runbook {path}: write it before an alarm links it.")
    return path


def with_runbook(description: str, page: str) -> str:
    """An alarm description with its runbook, as cdk-monitoring-constructs writes them."""
    return f"{description} \r\nRunbook: {runbook(page)}"
