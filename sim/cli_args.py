"""Argument types shared by the command line's parsers (`sim.cli`, `sim.cli_balance`)."""

from __future__ import annotations

import argparse
from collections.abc import Callable


def whole(low: int, high: int, shown_high: str | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number between `low` and `high`, with a plain message otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {shown_high or high} (got {value})")
        return value

    return parse
