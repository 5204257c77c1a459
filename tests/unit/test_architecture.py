"""The house rules of docs/ARCHITECTURE.md, checked on the source: floors, cycles, where SQL lives."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQL_STATEMENT = re.compile(
    r"^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER|DROP|TRUNCATE)\b[\s\S]*\b(FROM|INTO|SET|TABLE|DATABASE|AS)\b"
)
DB_CALLS = {"execute", "executemany", "cursor", "copy_expert", "copy_from", "execute_values"}
MAX_MODULES_DIRECTLY_UNDER_DASHBOARD = 12


def _python_files(*folders: str) -> list[Path]:
    return [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]


def test_imports_point_down_the_picture_and_never_cycle() -> None:
    """import-linter's contracts in pyproject.toml: layers, data/ free of the web, no cycle in any package."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_dashboard_keeps_its_modules_in_capability_packages() -> None:
    modules = [path.name for path in (ROOT / "dashboard").glob("*.py")]
    assert len(modules) <= MAX_MODULES_DIRECTLY_UNDER_DASHBOARD, modules


def test_no_sql_outside_data() -> None:
    found = []
    for path in _python_files("dashboard", "callbacks", "pages"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in DB_CALLS:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL_STATEMENT.match(node.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value.strip()[:40]!r}")
    assert not found, "SQL belongs in data/:\n" + "\n".join(found)
