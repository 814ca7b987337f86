"""The generated blocks of README.md, shared by config_table.py, policy_table.py and
personal_data_register.py: the text between two markers is rewritten, or checked."""

from __future__ import annotations

import pathlib
import sys

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def render(readme: str, begin: str, end: str, content: str) -> str:
    head, rest = readme.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{content}\n{end}{tail}"


def main(begin: str, end: str, content: str, what: str, script: str) -> int:
    """Rewrite README.md between the markers; with --check, exit 1 when it is out of date."""
    current = README.read_text(encoding="utf-8")
    wanted = render(current, begin, end, content)
    if "--check" in sys.argv:
        if current != wanted:
            print(f"README.md {what} is out of date: run {script}")
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    return 0
