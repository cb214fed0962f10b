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


# -- keyed draws ----------------------------------------------------------------------------
# A project's own luck (whether a partner delivers in its third month, its reviewers' noise, ...) is a
# function of the project's seed and what is being decided, not of how many draws came before it. So an
# idea that arises in two scenarios meets the same luck in both wherever it goes through the same steps,
# however differently other projects fared (common random numbers down to the single project).

_MASK = (1 << 64) - 1
DEFAULT, FATAL, REVIEW, PRECHECK, TIEBREAK, OUTCOME = range(1, 7)     # what a keyed draw decides


def _mix(x: int) -> int:
    """SplitMix64's finaliser: a bijection of 64-bit integers that scatters nearby inputs."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def keyed(seed: int, *keys: int) -> float:
    """A uniform number in [0, 1) determined by ``seed`` and the integer ``keys`` alone.

    >>> keyed(7, DEFAULT, 3) == keyed(7, DEFAULT, 3) != keyed(7, DEFAULT, 4)
    True
    >>> import statistics
    >>> round(statistics.fmean(keyed(1, k) for k in range(20_000)), 2)
    0.5
    """
    h = _mix(seed & _MASK)
    for k in keys:
        h = _mix(h ^ (k & _MASK))
    return (h >> 11) * 2.0 ** -53


_NORMAL = __import__("statistics").NormalDist()


def keyed_normal(seed: int, *keys: int) -> float:
    """A standard normal number determined by ``seed`` and ``keys`` (the inverse CDF of :func:`keyed`)."""
    u = keyed(seed, *keys)
    return _NORMAL.inv_cdf(min(max(u, 1e-16), 1.0 - 1e-16))


def keyed_many(seed: int, tag: int, keys) -> "np.ndarray":
    """:func:`keyed` (seed, tag, key) for an array of integer keys at once, as uint64 hashes (compare them,
    do not read them as probabilities): the order they give is the same as ``keyed``'s.

    >>> k = [5, 9, 2]
    >>> [int(i) for i in np.argsort(keyed_many(3, TIEBREAK, k))] == sorted(range(3), key=lambda i: keyed(3, TIEBREAK, k[i]))
    True
    """
    with np.errstate(over="ignore"):
        h = np.full(len(keys), _mix(_mix(seed & _MASK) ^ (tag & _MASK)), dtype=np.uint64)
        x = h ^ np.asarray(keys, dtype=np.int64).astype(np.uint64)
        x = x + np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))
