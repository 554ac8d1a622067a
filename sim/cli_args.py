"""Argument types shared by the command line's parsers (`sim.cli`, `sim.cli_balance`), and argparse's own
messages in the language `--lang` asks for."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from .i18n import LANGS, Phrase, t

# argparse's messages (its gettext message ids, Python 3.11-3.13) -> our locale key and how each of the key's
# fields is filled in by argparse afterwards; a message not listed stays as argparse says it
_ARGPARSE: dict[str, tuple[str, dict[str, str]]] = {
    "usage: ": ("cli_args.usage", {}),
    "%(prog)s: error: %(message)s\n": ("cli_args.error", {"prog": "%(prog)s", "message": "%(message)s"}),
    "argument %(argument_name)s: %(message)s": ("cli_args.argument",
                                                {"name": "%(argument_name)s", "message": "%(message)s"}),
    "the following arguments are required: %s": ("cli_args.required", {"names": "%s"}),
    "invalid choice: %(value)r (choose from %(choices)s)": ("cli_args.invalid_choice",
                                                            {"value": "%(value)r", "choices": "%(choices)s"}),
    "invalid %(type)s value: %(value)r": ("cli_args.invalid_value", {"type": "%(type)s", "value": "%(value)r"}),
    "unrecognized arguments: %s": ("cli_args.unrecognized", {"names": "%s"}),
    "expected one argument": ("cli_args.expected_one", {}),
    "expected at least one argument": ("cli_args.expected_some", {}),
    "ambiguous option: %(option)s could match %(matches)s": ("cli_args.ambiguous",
                                                             {"option": "%(option)s", "matches": "%(matches)s"}),
}
_lang = "en"  # the language of the messages while a command line is parsed (`argparse_language`)


def wanted_lang(argv: Sequence[str]) -> str:
    """The language a command line asks for with `--lang X` or `--lang=X` (English when it names none: the
    messages about a command line come before the command knows its own default)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else arg.removeprefix("--lang=")
        if (arg == "--lang" or arg.startswith("--lang=")) and value in LANGS:
            return value
    return "en"


@contextmanager
def argparse_language(lang: str) -> Iterator[None]:
    """While parsing, argparse's messages and those of `whole` are said in `lang`.

    argparse looks each message up through gettext (its module's `_`), as a translation catalogue would;
    for the time of the parse that look-up answers from our locales, and is put back after."""
    global _lang
    saved_lang, saved_lookup = _lang, argparse._  # type: ignore[attr-defined]
    _lang = lang
    if lang != "en":
        argparse._ = _look_up  # type: ignore[attr-defined]
    try:
        yield
    finally:
        _lang = saved_lang
        argparse._ = saved_lookup  # type: ignore[attr-defined]


def _look_up(message: str) -> str:
    found = _ARGPARSE.get(message)
    if found is None:
        return message
    key, fields = found
    text = t(key, _lang, **fields) if fields else t(key, _lang)
    return text + "\n" if message.endswith("\n") else text


def whole(low: int, high: int, shown_high: str | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number between `low` and `high`, with a plain message otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(t("cli_args.not_whole", _lang, text=text)) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(t("cli_args.between", _lang, low=low, high=shown_high or high,
                                               value=value))
        return value

    return parse


def unwritable(path: str) -> Phrase | None:
    """Why `path` cannot be written, in words (`cli_error.reason_*`), or None: checked before a long
    computation, so that its result is not thrown away at the end."""
    import os
    from pathlib import Path

    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        return Phrase("cli_error.reason_folder")
    if not folder.is_dir():
        return Phrase("cli_error.reason_no_folder")
    if not os.access(folder if not target.exists() else target, os.W_OK):
        return Phrase("cli_error.reason_permission")
    return None
