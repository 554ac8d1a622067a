"""Long texts of the Learn page, one Markdown file per language, split into sections.

Each section starts with a line `<!-- section: ID -->`; both languages have the same sections in
the same order (a test checks it).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

_DIR = Path(__file__).resolve().parent
_MARK = re.compile(r"^<!--\s*section:\s*([a-z_]+)\s*-->\s*$", re.MULTILINE)


@cache
def sections(lang: str) -> list[tuple[str, str]]:
    """(section id, Markdown) pairs of the Learn page in `lang`."""
    text = (_DIR / f"learn.{lang}.md").read_text(encoding="utf-8")
    parts = _MARK.split(text)
    # parts: [before, id1, body1, id2, body2, ...]
    return [(parts[i], parts[i + 1].strip()) for i in range(1, len(parts) - 1, 2)]
