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
