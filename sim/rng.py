"""One root seed, many named random streams.

Every mechanism draws from its own stream, spawned from the root seed and the stream's name
(``numpy.random.SeedSequence``). Two runs with the same seed therefore share every draw that
their difference does not cause: a mechanism that is switched on draws from its own stream and
leaves the others untouched (common random numbers). The global random state is never used.

>>> a, b = Streams(7), Streams(7)
>>> float(a["ideas"].random()) == float(b["ideas"].random())
True
>>> float(Streams(7)["ideas"].random()) == float(Streams(7)["partners"].random())
False
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(name: str) -> int:
    """A stable 32-bit number for a stream name (Python's hash() is salted per process)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Named ``numpy.random.Generator`` streams derived from one root seed, created on first use."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def __getitem__(self, name: str) -> np.random.Generator:
        gen = self._streams.get(name)
        if gen is None:
            seq = np.random.SeedSequence(entropy=self.seed, spawn_key=(stream_key(name),))
            gen = self._streams[name] = np.random.Generator(np.random.PCG64(seq))
        return gen

    def integer_seed(self, name: str) -> int:
        """A 63-bit integer seed for libraries that want an int (Mesa's Model, networkx)."""
        seq = np.random.SeedSequence(entropy=self.seed, spawn_key=(stream_key(name),))
        return int(seq.generate_state(2, dtype=np.uint64)[0] >> np.uint64(1))
