"""Seeds and random streams (docs/model.md §3.4.23).

A root seed is expanded with :class:`numpy.random.SeedSequence`: block ``b`` of worlds gets the
child ``SeedSequence(root, spawn_key=(b,))``, which is exactly the ``b``-th child of
``SeedSequence(root).spawn(...)``. Inside a block, each world's random numbers come from a
counter-based generator: a uniform is a SplitMix64 hash of (block key, world index, stream name,
step). So a world's draws do not depend on how many other worlds share its model instance: the
block run with N = 1000 and each of its worlds run alone with N = 1 give the same results, and
nothing depends on how blocks are spread over processes. No global random state is used.
"""

from __future__ import annotations

import hashlib

import numpy as np

BLOCK_SIZE = 25000
"""Worlds per seed block (part of the reproducibility contract: recorded in every summary)."""

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TO_UNIT = 2.0**-53


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser (Steele, Lea and Flood 2014): a bijective 64-bit avalanche hash."""
    y = x >> np.uint64(30)  # in place from here: two arrays in place of eight
    y ^= x
    y *= _MIX1
    shifted = y >> np.uint64(27)
    y ^= shifted
    y *= _MIX2
    np.right_shift(y, np.uint64(31), out=shifted)
    y ^= shifted
    return y


def _name_key(name: str) -> np.uint64:
    return np.uint64(int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big"))


def block_seed(root: int, block: int) -> np.random.SeedSequence:
    """The seed sequence of block ``block`` under root seed ``root``."""
    return np.random.SeedSequence(root, spawn_key=(block,))


def draw_root_seed() -> int:
    """A fresh root seed from the operating system's entropy (used when the user gives none)."""
    return int(np.random.SeedSequence().generate_state(1, np.uint32)[0])


class WorldStreams:
    """Per-world counter-based uniform streams for one block of worlds."""

    def __init__(self, seed: np.random.SeedSequence, local_index: np.ndarray):
        """Key the streams by the block's seed sequence and each world's index in its block."""
        key = seed.generate_state(2, np.uint64)
        self._key = key[1]
        with np.errstate(over="ignore"):
            self._base = _mix(np.asarray(local_index, dtype=np.uint64) * _GOLDEN ^ key[0])
        self._names: dict[str, np.uint64] = {}

    @property
    def size(self) -> int:
        """Number of worlds."""
        return int(self._base.shape[0])

    def uniform(self, stream: str, step: int = 0) -> np.ndarray:
        """Uniform numbers in (0, 1), one per world, for a named stream at a step."""
        name = self._names.get(stream)
        if name is None:
            name = self._names.setdefault(stream, _name_key(stream) ^ self._key)
        with np.errstate(over="ignore"):
            salt = _mix(np.array([name + np.uint64(step) * _GOLDEN], dtype=np.uint64))
            bits = _mix(self._base ^ salt)
        return ((bits >> np.uint64(11)).astype(np.float64) + 0.5) * _TO_UNIT

    def bernoulli(self, stream: str, step: int, p: np.ndarray | float) -> np.ndarray:
        """Boolean draws with probability ``p`` per world."""
        return self.uniform(stream, step) < p
