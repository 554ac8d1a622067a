"""`Training`: the one service object pages, the CLI and the worker use, composed of its parts."""

from __future__ import annotations

from .archive import ArchiveMixin
from .compute import ResultsMixin
from .decisions import DecisionsMixin
from .observations import ObservationsMixin
from .teams import TeamsMixin


class Training(ArchiveMixin, TeamsMixin, DecisionsMixin, ResultsMixin, ObservationsMixin):
    """Sessions, teams, rounds, decisions and results over a `Store`.

    Each part lives in its own module (`rounds`, `teams`, `decisions`, `compute`, `archive`, `observations`); they
    share the store and the per-session scenario cache of `TrainingBase`.
    """
