"""Text typed by people (team names, notes, session titles), made safe once, where it enters.

`clean_line` and `clean_block` normalise to NFC and remove what no reader can see but a program
acts on: control characters, bidirectional overrides and isolates (a right-to-left override shows
a score reversed), zero-width and other format characters, and characters that only look blank.
`visible` says whether anything readable is left. `markdown_plain` escapes text for Markdown so it
is never a link, an image or formatting; `spreadsheet_text` keeps it out of formulas and drops what
a spreadsheet file cannot hold.
"""

from __future__ import annotations

import re
import unicodedata

# letters that render as blank space although Unicode counts them as letters or symbols
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5\u180e\u2060\u034f")
_SPACES = re.compile(r"[^\S\n]+")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&=\"'@/])")
_AUTOLINK = re.compile(r"(\\[.:@])")
_ILLEGAL_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _kept(ch: str, newlines: bool) -> str:
    if ch == "\n" and newlines:
        return "\n"
    if ch in BLANK_LOOKING:
        return ""
    category = unicodedata.category(ch)
    if category in ("Zs", "Zl", "Zp") or ch in "\t\r\n\x0b\x0c":
        return " "
    if category[0] == "C":  # Cc control, Cf format (zero-width, bidi), Co private use, Cs, Cn unassigned
        return ""
    return ch


def clean_line(text: object, limit: int | None = None) -> str:
    """One line of text: NFC, invisible characters removed, runs of spaces made one, trimmed, cut to `limit`."""
    raw = unicodedata.normalize("NFC", "" if text is None else str(text))
    out = " ".join("".join(_kept(ch, False) for ch in raw).split())
    return out[:limit].rstrip() if limit is not None else out


def clean_block(text: object, limit: int | None = None) -> str:
    """Text of several lines (notes): like `clean_line`, but line breaks are kept."""
    raw = unicodedata.normalize("NFC", "" if text is None else str(text)).replace("\r\n", "\n")
    lines = [_SPACES.sub(" ", line).strip() for line in "".join(_kept(ch, True) for ch in raw).split("\n")]
    out = "\n".join(lines).strip()
    return out[:limit].rstrip() if limit is not None else out


def visible(text: str) -> bool:
    """Whether the text has at least one letter, digit, punctuation mark or symbol a reader can see."""
    return any(unicodedata.category(ch)[0] in "LNPS" and ch not in BLANK_LOOKING for ch in text)


def markdown_plain(text: object) -> str:
    """Text safe inside Markdown: no links (bare addresses included), images, HTML or formatting.

    Escaping alone does not stop GitHub-style autolinks (`http://`, `www.`, `name@host`: the
    renderer finds them in the text after unescaping), so an invisible word joiner goes before each
    `.`, `:` and `@`; it is removed again if the text is typed back (`clean_line`).
    """
    return _AUTOLINK.sub("\u2060\\1", _MARKDOWN.sub(r"\\\1", clean_line(text)))


def spreadsheet_text(value: object) -> object:
    """A cell value: characters a spreadsheet file cannot hold removed; text that a spreadsheet would
    take for a formula (=, +, -, @) kept as text."""
    if not isinstance(value, str):
        return value
    value = _ILLEGAL_XLSX.sub("", value)
    if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
