"""Named random streams for common random numbers.

Each source of randomness has a stable name ("reader.group", "step.checkout.time", ...). Its
generator is seeded from (root seed, replication, a hash of the name), never from the order in
which streams are created. A stream is read by *index* (usually the reader's number), not
consumed in turn: reader 17 gets the same uniform from "step.checkout.time" whatever other readers
did before, so a variant with a step removed or a kiosk added still sees the same readers.
"""

from __future__ import annotations

import zlib
from array import array
from collections.abc import Callable

import numpy as np

_BLOCK = 2048


def stream_key(name: str) -> int:
    """A stable 32-bit number for a stream name (the same on every machine and Python run)."""
    return zlib.crc32(name.encode("utf-8"))


BYTES_PER_VALUE = 8  # values are kept as C doubles (a list of Python floats would take 32 bytes each)


class Stream:
    """Uniforms in (0, 1) (or values mapped from them), generated in blocks and read by index."""

    __slots__ = ("_gen", "_mapper", "_values")

    def __init__(self, gen: np.random.Generator, mapper: Callable[[np.ndarray], np.ndarray] | None = None):
        self._gen = gen
        self._mapper = mapper
        self._values: array[float] = array("d")

    def _grow(self, index: int) -> None:
        while index >= len(self._values):
            block = self._gen.random(_BLOCK)
            # Generator.random gives [0, 1); keep 0 out of inverse transforms
            block = np.where(block == 0.0, np.nextafter(0.0, 1.0), block)
            if self._mapper is not None:
                block = self._mapper(block)
            self._values.frombytes(np.ascontiguousarray(block, dtype=np.float64).tobytes())

    def __getitem__(self, index: int) -> float:
        try:
            return self._values[index]
        except IndexError:
            self._grow(index)
            return self._values[index]

    def ensure(self, size: int) -> array[float]:
        """Generate at least `size` values now and return them, for direct indexing below `size`."""
        if size > len(self._values):
            self._grow(size - 1)
        return self._values


class Streams:
    """All streams of one replication."""

    def __init__(self, seed: int, replication: int):
        self._seed = int(seed)
        self._replication = int(replication)
        self._streams: dict[str, Stream] = {}

    def generator(self, name: str) -> np.random.Generator:
        seq = np.random.SeedSequence(entropy=self._seed, spawn_key=(self._replication, stream_key(name)))
        return np.random.Generator(np.random.PCG64(seq))

    def uniform(self, name: str) -> Stream:
        """The uniform stream of this name (created on first use)."""
        stream = self._streams.get(name)
        if stream is None:
            stream = self._streams[name] = Stream(self.generator(name))
        return stream

    def mapped(self, name: str, mapper: Callable[[np.ndarray], np.ndarray], variant: str) -> Stream:
        """The same uniforms as `uniform(name)`, mapped elementwise (e.g. to service times).

        `variant` names the mapping so that two mappings of one stream are cached apart.
        """
        key = f"{name}\x00{variant}"
        stream = self._streams.get(key)
        if stream is None:
            stream = self._streams[key] = Stream(self.generator(name), mapper)
        return stream
