"""Keep generated README sections (data dictionary, glossary) in step with their sources.

A section sits between `<!-- NAME:start -->` and `<!-- NAME:end -->`; `update(readme_text)` rewrites
every registered section, and a unit test fails when the committed README is stale.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

from schema.config import PROJECT_ROOT

README = PROJECT_ROOT / "README.md"
SECTIONS: dict[str, Callable[[], str]] = {}


def section(name: str):
    def register(fn: Callable[[], str]):
        SECTIONS[name] = fn
        return fn

    return register


def update(text: str) -> str:
    for name, render in SECTIONS.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.S)
        text = pattern.sub(lambda m: m.group(1) + render().rstrip() + "\n" + m.group(2), text)
    return text


def update_file(path: Path = README) -> bool:
    """Rewrite the README's generated sections; True when something changed."""
    old = path.read_text(encoding="utf-8")
    new = update(old)
    if new != old:
        path.write_text(new, encoding="utf-8")
    return new != old
