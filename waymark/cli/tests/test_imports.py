"""The import rules of `waymark/cli/__init__.py`: building the parser loads neither the numeric
stack nor Django's models, `main` sets Django up before a handler imports them, and nothing but
those two kinds of import waits inside a function."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import waymark

HEAVY = ("numpy", "scipy", "h3", "igraph")
ROOT = Path(waymark.__file__).resolve().parent.parent
CLI = ROOT / "waymark" / "cli"
# What a handler may import itself: the numeric stack, and Waymark's apps (Django models).
DEFERRED = (*HEAVY, "waymark.")
NOT_DEFERRED = ("waymark.cli", "waymark.analytics.defaults")


def fresh_python(code: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    return subprocess.run(  # noqa: S603 (our own interpreter, our own code)
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=False
    )


LOADED = f"""
import json, sys
loaded = sorted(m for m in {HEAVY!r} if m in sys.modules)
waymark = sorted(m for m in sys.modules if m.startswith("waymark.")
                 and not m.startswith(("waymark.cli", "waymark.analytics")))
models = sorted(m for m in sys.modules if m.startswith(("waymark.", "django.contrib."))
                and m.endswith(".models"))
print(json.dumps([loaded, waymark, models]))
"""


def test_building_the_parser_loads_no_numeric_stack_and_no_models():
    run = fresh_python("from waymark.cli import build_parser\nbuild_parser()\n" + LOADED)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == [[], [], []]


def test_help_loads_no_numeric_stack_and_no_models():
    code = "from waymark.cli import main\nassert main(['hotspots', '--help']) == 0\n"
    run = fresh_python(code + LOADED)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.splitlines()[-1]) == [[], [], []]


def test_main_sets_django_up_before_a_handler_imports_models():
    code = (
        "import sys\nfrom waymark.cli import main\n"
        "sys.exit(main(['createagency', '--name', 'Taxi Co', '--sector', 'taxis']))"
    )
    run = fresh_python(code)
    assert (run.returncode, run.stdout) == (2, ""), run.stderr
    assert run.stderr.startswith("waymark createagency: unknown sector 'taxis'")


def _modules() -> list[Path]:
    return sorted(p for p in CLI.glob("*.py"))


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return [node.module or ""]


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_only_the_numeric_stack_and_the_apps_are_imported_late(path):
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    for function in ast.walk(ast.parse(source)):
        if not isinstance(function, ast.FunctionDef):
            continue
        imports = [n for n in function.body if isinstance(n, ast.Import | ast.ImportFrom)]
        for node in imports:
            for name in _imported(node):
                late = name.startswith(DEFERRED) and not name.startswith(NOT_DEFERRED)
                assert late, f"{path.name}:{node.lineno} imports {name} late; import it at the top"
        if imports:
            why = lines[imports[0].lineno - 2].strip()
            assert why.startswith("#"), f"{path.name}:{imports[0].lineno}: say why it is late"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: p.name)
def test_the_numeric_stack_and_the_apps_are_not_imported_at_the_top(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            for name in _imported(node):
                early = name.startswith(DEFERRED) and not name.startswith(NOT_DEFERRED)
                assert not early, f"{path.name}:{node.lineno} imports {name} at the top"


def test_no_other_package_imports_the_command_line():
    for path in (ROOT / "waymark").rglob("*.py"):
        if CLI in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for name in _imported(node):
                    assert not name.startswith("waymark.cli"), f"{path} imports {name}"
