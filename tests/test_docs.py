"""The README's promises: its two commands are the ones CI runs, and its examples are real commands."""

import re
from pathlib import Path

from cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text("utf-8")


def commands():
    return re.findall(r"```sh\n(.*?)```", README, re.S)


def test_readme_opens_with_setup_and_search_then_setup_and_tests():
    first, second = commands()[:2]
    assert "pip install" in first and "kb search" in first
    assert "pip install" in second and "pytest" in second


def test_ci_runs_the_readme_test_command():
    # each step of it, in its order: CI sets up as the README says, then runs the suite as it
    # says (beside a second pass with tantivy, which shares the cores: .ci/run)
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    at = 0
    for step in commands()[1].strip().split(" && "):
        # a command of its own (at a line's start or after &&, not under KB_ENGINE=…), as written
        found = re.compile(rf"(?:^|&& ){re.escape(step)}(?=[ \n]|$)", re.M).search(ci, at)
        assert found, step
        at = found.end()


def test_every_kb_command_in_the_readme_exists():
    used = set(re.findall(r"^kb (\w+)", README, re.M)) | set(re.findall(r"`kb (\w+)", README))
    assert used and used <= set(main.commands)
