"""Reading the project's own source as syntax trees, for tests that check the code's shape.

Every such test parses through `parse_source`: CPython 3.11 could refuse to parse ("AST
constructor recursion depth mismatch") in a thread where a RecursionError had been caught
earlier, which another test in the same pytest worker may have done. The project runs on
3.12, where that is fixed; a fresh thread keeps the checks sound on any interpreter.
"""

import ast
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def parse_source(path: Path) -> ast.Module:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(ast.parse, path.read_text(), str(path)).result()


def imported_names(tree: ast.Module) -> set[str]:
    """Every absolute import's dotted name: `import a.b` gives `a.b`; `from a.b import c`
    gives `a.b` and `a.b.c` (whether `c` is a module or a name in one)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found
