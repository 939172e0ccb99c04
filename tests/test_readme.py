"""The README's layout tree stays true to the repository: every line names something tracked, and
every package under waymark/ has its line."""

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Rooms that every app has and that the README describes once, not in every app's tree.
ROOMS_DESCRIBED_ONCE = {"tests", "migrations", "templates", "static"}


def layout_entries(readme: str) -> list[str]:
    """The paths in the README's layout tree, one per line, built from the indentation."""
    section = readme.split("## How the code is laid out", 1)[1]
    block = re.search(r"```\n(.*?)```", section, re.S)
    assert block, "the layout section has no tree"
    paths: list[str] = []
    parents: list[tuple[int, str]] = []
    for line in block.group(1).splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        name = line.strip().split()[0]
        while parents and parents[-1][0] >= indent:
            parents.pop()
        path = "".join(p for _, p in parents) + name
        paths.append(path)
        if name.endswith("/"):
            parents.append((indent, name))
    return paths


def tracked() -> set[str]:
    out = subprocess.run(  # noqa: S603 (a fixed command)
        ["git", "ls-files"],  # noqa: S607 (git from PATH, as every developer runs it)
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return set(out.stdout.splitlines())


def packages(files: set[str]) -> set[str]:
    """Every package under waymark/ except the rooms each app has."""
    found = set()
    for f in files:
        parts = f.split("/")
        if parts[0] == "waymark" and parts[-1] == "__init__.py" and len(parts) > 2:
            if not ROOMS_DESCRIBED_ONCE & set(parts[1:-1]):
                found.add("/".join(parts[:-1]) + "/")
    return found


def test_every_line_of_the_layout_tree_names_something_tracked():
    files = tracked()
    entries = layout_entries((ROOT / "README.md").read_text())
    assert len(entries) > 10
    missing = [
        e
        for e in entries
        if (e.endswith("/") and not any(f.startswith(e) for f in files))
        or (not e.endswith("/") and e not in files)
    ]
    assert not missing, f"the README's layout names what git does not track: {missing}"


def test_every_package_has_its_line_in_the_layout_tree():
    files = tracked()
    entries = set(layout_entries((ROOT / "README.md").read_text()))
    unlisted = sorted(packages(files) - entries)
    assert not unlisted, f"packages missing from the README's layout tree: {unlisted}"


def test_the_layout_parser_sees_nesting():
    readme = (
        "## How the code is laid out\n\n```\nwaymark/\n  core/    x\n    a.py  y\nbench/\n```\n"
    )
    assert layout_entries(readme) == ["waymark/", "waymark/core/", "waymark/core/a.py", "bench/"]
