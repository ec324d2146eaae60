"""Vectorised business codes: unique random-looking numbers and fixed-width code strings.

Strings are assembled as a (rows x width) byte matrix and decoded once, which is an order of
magnitude faster than per-row formatting for a million codes.
"""
from __future__ import annotations

import math

import numpy as np

# Large primes; one coprime with the modulus is used as the multiplier of a bijection.
_PRIMES = (2_654_435_761, 2_246_822_519, 3_266_489_917, 668_265_263, 374_761_393)


def unique_numbers(rng: np.random.Generator, n: int, digits: int) -> np.ndarray:
    """`n` distinct int64 numbers with exactly `digits` digits (no leading zero), in random order.

    A random permutation of 0..n-1 is pushed through x -> (a*x + b) mod M, a bijection of
    [0, M) when gcd(a, M) = 1, so the results are distinct without any retry loop.
    """
    low = 10 ** (digits - 1)
    modulus = 9 * low
    if n > modulus:
        raise ValueError(f"cannot make {n} distinct {digits}-digit numbers")
    a = next(p for p in _PRIMES if math.gcd(p, modulus) == 1) % modulus
    b = int(rng.integers(0, modulus))
    x = rng.permutation(n).astype(np.int64)
    # (a*x) mod M without overflow: x < 2**31 and a < 2**32 keep the product below 2**63
    return low + ((x * a) % modulus + b) % modulus


def digits_needed(n: int, minimum: int) -> int:
    """Smallest digit count >= minimum whose 9*10**(d-1) numbers can hold n distinct codes."""
    d = minimum
    while 9 * 10 ** (d - 1) < n:
        d += 1
    return d


def format_codes(numbers: np.ndarray, digits: int, prefix: str = "", suffix: np.ndarray | None = None,
                 prefixes: tuple[str, ...] | None = None, prefix_index: np.ndarray | None = None) -> np.ndarray:
    """Object array of strings prefix + zero-padded number + optional one-byte suffix.

    `suffix` is a uint8 array of ASCII codes (e.g. 97 + k for a lowercase letter). Instead of a
    fixed `prefix`, `prefixes` (equal-length strings) with `prefix_index` choose one per row.
    """
    n = len(numbers)
    if prefixes is not None:
        plen = len(prefixes[0])
        ptab = np.frombuffer("".join(prefixes).encode("ascii"), dtype=np.uint8).reshape(len(prefixes), plen)
    else:
        plen = len(prefix)
    width = plen + digits + (1 if suffix is not None else 0)
    if n == 0:
        return np.empty(0, dtype=object)
    mat = np.empty((n, width), dtype=np.uint8)
    if prefixes is not None:
        mat[:, :plen] = ptab[prefix_index]
    elif plen:
        mat[:, :plen] = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
    x = np.asarray(numbers, dtype=np.int64).copy()
    for k in range(plen + digits - 1, plen - 1, -1):
        mat[:, k] = 48 + x % 10
        x //= 10
    if suffix is not None:
        mat[:, -1] = suffix
    # bytes -> NumPy variable-width strings -> Python str objects (faster than via fixed "U")
    return mat.view(f"S{width}").ravel().astype(np.dtypes.StringDType()).astype(object)
