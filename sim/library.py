"""The scenario library on disk: shipped scenarios (read-only) and the trainers' own, with versions.

Saving never destroys anything: the file is validated first, written atomically (a temporary file
in the same folder, then a rename), and the version it replaces is kept in `.history/<id>/` with
who saved it and when; any version can be restored (as a new version). A save names the version
it was edited from; if the file has changed since (another trainer saved first), the save is
refused with a diff, never silently overwritten. File names come from scenario ids only, so a name
with `../` or a path can never reach the disk.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .scenario import _ID, MAX_FILE_BYTES, Problem, Scenario, ScenarioError, load_scenario, scenario_from_text

HISTORY = ".history"


class LibraryError(ValueError):
    """A save or import that was refused; `problems` has the scenario's problems when it was invalid."""

    def __init__(self, message: str, problems: list[Problem] | None = None, diff: str = "") -> None:
        self.problems = problems or []
        self.diff = diff
        super().__init__(message)


class ConflictError(LibraryError):
    """The file changed since it was opened: someone else saved first."""


@dataclass(frozen=True)
class Entry:
    id: str
    path: Path
    shipped: bool
    scenario: Scenario | None
    problem: str  # the first problem of an invalid file


@dataclass(frozen=True)
class Version:
    saved_at: float
    author: str
    digest: str
    path: Path


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def safe_author(name: str) -> str:
    clean = re.sub(r"[^\w.-]+", "-", name.strip(), flags=re.UNICODE).strip("-.")
    return clean[:40] or "trainer"


class ScenarioLibrary:
    def __init__(self, shipped: Path, user: Path) -> None:
        self.shipped = Path(shipped)
        self.user = Path(user)

    # reading -----------------------------------------------------------------------------------

    def entries(self) -> list[Entry]:
        """Every scenario file: the trainers' own first, then the shipped ones."""
        out = []
        for folder, shipped in ((self.user, False), (self.shipped, True)):
            if not folder.is_dir():
                continue
            for path in sorted(folder.glob("*.yaml")):
                try:
                    scenario: Scenario | None = load_scenario(path)
                    problem = ""
                except ScenarioError as error:
                    scenario, problem = None, str(error.problems[0]) if error.problems else ""
                out.append(Entry(path.stem, path, shipped, scenario, problem))
        return out

    def path_of(self, scenario_id: str, *, shipped: bool = False) -> Path:
        if not re.fullmatch(_ID, scenario_id or ""):
            raise LibraryError(f"'{scenario_id}' is not a scenario id (lower-case letters, digits, '_' or '-')")
        return (self.shipped if shipped else self.user) / f"{scenario_id}.yaml"

    def read(self, scenario_id: str, *, shipped: bool = False) -> tuple[str, str]:
        """The file's text and the digest to save against."""
        text = self.path_of(scenario_id, shipped=shipped).read_text(encoding="utf-8")
        return text, digest(text)

    def history(self, scenario_id: str) -> list[Version]:
        log = self.user / HISTORY / scenario_id / "log.jsonl"
        if not log.is_file():
            return []
        versions = []
        for line in log.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
                versions.append(Version(float(row["saved_at"]), str(row["author"]), str(row["digest"]),
                                        log.parent / str(row["file"])))
            except (ValueError, KeyError, TypeError):
                continue  # a damaged line does not hide the others
        return versions

    # writing -----------------------------------------------------------------------------------

    def save(self, text: str, author: str, *, base: str | None, new: bool = False) -> Scenario:
        """Validate and save `text` as the user scenario of its id.

        `base` is the digest of the version the edit started from (None for a new scenario); a
        file that has changed since is a ConflictError with a diff. `new` refuses to replace an
        existing user scenario of that id.
        """
        try:
            scenario = scenario_from_text(text, "<editor>")
        except ScenarioError as error:
            raise LibraryError("the scenario has problems; nothing was saved", error.problems) from None
        target = self.path_of(scenario.id)
        self.user.mkdir(parents=True, exist_ok=True)
        current = target.read_text(encoding="utf-8") if target.is_file() else None
        if current is not None:
            if new:
                raise LibraryError(f"a scenario with the id '{scenario.id}' exists already: choose another id")
            if base != digest(current):
                diff = "".join(difflib.unified_diff(
                    current.splitlines(keepends=True), text.splitlines(keepends=True),
                    fromfile=f"{scenario.id}.yaml (saved by someone else)", tofile=f"{scenario.id}.yaml (yours)"))
                raise ConflictError("the scenario was changed by someone else since you opened it; nothing was saved",
                                    diff=diff)
            if digest(current) not in {v.digest for v in self.history(scenario.id)}:
                self._keep(scenario.id, current, "")  # a file placed by hand: keep it before replacing it
        _atomic_write(target, text)
        self._keep(scenario.id, text, author)
        return scenario

    def restore(self, scenario_id: str, version: Version, author: str) -> Scenario:
        """Save an old version as the newest one (the versions in between are kept)."""
        text = version.path.read_text(encoding="utf-8")
        current = self.path_of(scenario_id)
        base = digest(current.read_text(encoding="utf-8")) if current.is_file() else None
        return self.save(text, author, base=base)

    def import_upload(self, filename: str, data: bytes, author: str) -> Scenario:
        """A scenario uploaded as a file: size-limited, UTF-8, valid, saved as a new user scenario.

        The file name is only shown in messages (any path in it is dropped); the saved file is
        named after the scenario's id.
        """
        shown = Path(filename.replace("\\", "/")).name or "upload.yaml"
        if len(data) > MAX_FILE_BYTES:
            raise LibraryError(f"{shown}: the file is larger than {MAX_FILE_BYTES // 1024} KiB")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise LibraryError(f"{shown}: is not UTF-8 text (byte {error.start})") from None
        try:
            scenario_from_text(text, shown)
        except ScenarioError as error:
            raise LibraryError(f"{shown}: the scenario has problems; nothing was saved", error.problems) from None
        return self.save(text, author, base=None, new=True)

    def _keep(self, scenario_id: str, text: str, author: str) -> None:
        """Record a saved version: its text, who saved it (empty: placed by hand) and when."""
        folder = self.user / HISTORY / scenario_id
        folder.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + f"-{time.time_ns() % 1_000_000:06d}"
        name = f"{stamp}--{safe_author(author)}.yaml"
        _atomic_write(folder / name, text)
        with open(folder / "log.jsonl", "a", encoding="utf-8") as log:
            log.write(json.dumps({"saved_at": time.time(), "author": author, "digest": digest(text), "file": name},
                                 ensure_ascii=False) + "\n")


def _atomic_write(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
