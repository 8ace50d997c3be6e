"""The layout's rules (README, "Layout") hold, and the checker would notice if one broke.

`lint-imports` (import-linter, contracts in pyproject.toml) checks that parts import
downward only, that there is no import cycle at any depth and that parsing imports no
Django; scripts/test.sh runs it before the tests. The rest is checked here.
"""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "bulletins"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def modules():
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def imported_names(path: Path):
    """(node, absolute module name) for every import in ``path``, nested ones included."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(filter(None, [base, node.module]))
            for alias in node.names:
                yield node, f"{module}.{alias.name}"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_the_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # models must not reach up (here: to the per-version facts), not even in a function
        ("models.py", "def _up():\n    from . import facts\n", "Parts import downward only"),
        ("facts.py", "def _cycle():\n    from .public import views\n", "No import cycles"),
        ("importing/parse.py", "import django.utils.html\n", "Parsing imports no Django"),
        ("syndication/feeds.py", "from ..public import views\n", "Parts import downward only"),
    ],
)
def test_a_broken_rule_fails_the_check(tmp_path, module, line, contract):
    shutil.copytree(PACKAGE, tmp_path / "bulletins", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    with open(tmp_path / "bulletins" / module, "a") as source:
        source.write("\n\n" + line)
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(line.startswith(contract) for line in broken), result.stdout


def test_the_app_has_at_most_twelve_modules_at_its_top_level():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 12, top


def test_only_the_caching_part_uses_the_cache():
    allowed = {PACKAGE / "serving" / "health.py"}  # /healthz checks the cache itself
    users = [
        str(path.relative_to(ROOT))
        for path in modules()
        if path.parent.name != "caching" and path not in allowed
        for _node, name in imported_names(path)
        if name.startswith("django.core.cache")
    ]
    assert users == []
    templates = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "templates").rglob("*.html")
        if "{% cache" in path.read_text() or "load cache" in path.read_text()
    ]
    assert templates == []  # blocks are kept with {% kept %}: caching builds the keys


def test_no_imports_inside_functions_but_app_loading():
    nested = []
    for path in modules():
        for function in ast.walk(ast.parse(path.read_text())):
            if not isinstance(function, ast.FunctionDef) or function.name == "ready":
                continue
            nested += [
                f"{path.relative_to(ROOT)}:{node.lineno}"
                for node in ast.walk(function)
                if isinstance(node, ast.Import | ast.ImportFrom)
            ]
    assert nested == []


def test_bulk_writes_announce_themselves_instead_of_bumping_by_hand():
    callers = [
        str(path.relative_to(ROOT))
        for path in modules()
        if path.parent.name != "caching" and ".bump(" in path.read_text()
    ]
    assert callers == []
