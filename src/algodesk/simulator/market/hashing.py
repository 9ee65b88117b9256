"""Counter-based random numbers: a (stream, index) pair always maps to the same bits.

The market must answer "what happened at second s" without replaying the past, so
every random quantity is a pure function of a 64-bit stream key and an integer index,
mixed with the splitmix64 finaliser. The scalar and the numpy versions compute the
same function bit for bit (both wrap modulo 2**64).
"""

from __future__ import annotations

import hashlib

import numpy as np
import numpy.typing as npt

U64 = npt.NDArray[np.uint64]
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

_GOLDEN = 0x9E3779B97F4A7C15
_MUL1 = 0xBF58476D1CE4E5B9
_MUL2 = 0x94D049BB133111EB
_MASK = (1 << 64) - 1
_TO_UNIT = 2.0**-53
_SQRT3 = 3.0**0.5


def stream_key(*parts: object) -> int:
    """A stable 64-bit key for a named stream (Python's own hash() is salted per run)."""
    text = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "little")


def mix64(x: int) -> int:
    z = (x + _GOLDEN) & _MASK
    z = ((z ^ (z >> 30)) * _MUL1) & _MASK
    z = ((z ^ (z >> 27)) * _MUL2) & _MASK
    return z ^ (z >> 31)


def mix64_array(x: U64) -> U64:
    z = x + np.uint64(_GOLDEN)
    z ^= z >> np.uint64(30)
    z *= np.uint64(_MUL1)
    z ^= z >> np.uint64(27)
    z *= np.uint64(_MUL2)
    z ^= z >> np.uint64(31)
    return z


def centred_array(stream: int, index: I64) -> F64:
    """Uniform with mean 0 and variance 1 (on [-sqrt 3, sqrt 3])."""
    raw = mix64_array(index.astype(np.uint64) + np.uint64(stream))
    return (raw >> np.uint64(11)).astype(np.float64) * (2.0 * _SQRT3 * _TO_UNIT) - _SQRT3


def split_units(stream: int, index: I64) -> tuple[F64, F64]:
    """Two independent uniforms in [0, 1) per index from one hash (24 and 40 bits)."""
    raw = mix64_array(index.astype(np.uint64) + np.uint64(stream))
    high = (raw >> np.uint64(40)).astype(np.float64) * 2.0**-24
    low = (raw & np.uint64((1 << 40) - 1)).astype(np.float64) * 2.0**-40
    return high, low


def centred_range(stream: int, first: int, last: int) -> F64:
    """centred_array over the contiguous indices first..last inclusive."""
    return centred_array(stream, np.arange(first, last + 1, dtype=np.int64))
