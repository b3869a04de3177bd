"""Small vectorised helpers shared by the generator's stages."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
StrArray = npt.NDArray[np.object_]

MINUTE = 60
HOUR = 3600
DAY = 86400


def opaque_ids(rng: np.random.Generator, n: int, prefix: str, digits: int) -> StrArray:
    """`n` distinct identifiers `prefix` + `digits` random digits, in random order."""
    if n == 0:
        return np.empty(0, dtype=object)
    low, high = 10 ** (digits - 1), 10**digits
    if n > (high - low) // 4:
        raise ValueError(f"{n} ids do not fit in {digits} digits")
    chosen = np.empty(0, dtype=np.int64)
    while chosen.size < n:
        draw = rng.integers(low, high, size=int(n * 1.3) + 16)
        both = np.concatenate([chosen, draw])
        _, first = np.unique(both, return_index=True)
        first.sort()
        chosen = both[first]
    return np.char.add(prefix, chosen[:n].astype(str)).astype(object)


def choice_codes(rng: np.random.Generator, n: int, probs: npt.ArrayLike) -> IntArray:
    """`n` draws of category codes 0..k-1 with the given (unnormalised) weights."""
    p = np.asarray(probs, dtype=np.float64)
    cdf = np.cumsum(p / p.sum())
    cdf[-1] = 1.0
    return np.searchsorted(cdf, rng.random(n), side="right").astype(np.int64)


def bernoulli_plus_poisson(rng: np.random.Generator, mean: FloatArray) -> IntArray:
    """Counts with the given mean: a Bernoulli draw below 1, 1 + Poisson(mean - 1) above."""
    mean = np.asarray(mean, dtype=np.float64)
    base = (rng.random(mean.shape) < np.minimum(mean, 1.0)).astype(np.int64)
    extra = rng.poisson(np.maximum(mean - 1.0, 0.0))
    return base + extra


@dataclass
class GroupIndex:
    """Rows grouped by an integer key, for sampling a random member of a key's group."""

    order: IntArray
    keys: IntArray
    start: IntArray
    count: IntArray

    @classmethod
    def build(cls, keys: IntArray) -> GroupIndex:
        order = np.argsort(keys, kind="stable")
        uniq, start, count = np.unique(keys[order], return_index=True, return_counts=True)
        return cls(order=order.astype(np.int64), keys=uniq.astype(np.int64),
                   start=start.astype(np.int64), count=count.astype(np.int64))

    def locate(self, query: IntArray) -> tuple[IntArray, BoolArray]:
        pos = np.searchsorted(self.keys, query)
        pos_c = np.minimum(pos, max(len(self.keys) - 1, 0))
        found = (pos < len(self.keys)) & (self.keys[pos_c] == query) if len(self.keys) else (
            np.zeros(len(query), dtype=bool))
        return pos_c, found

    def sample(self, rng: np.random.Generator, query: IntArray, skew: float = 1.0) -> IntArray:
        """One member (row number) of each queried group, -1 when the group is empty.

        `skew` > 1 favours the first members of each group (heavy-tailed reuse)."""
        query = np.asarray(query, dtype=np.int64)
        if len(self.keys) == 0:
            return np.full(len(query), -1, dtype=np.int64)
        pos, found = self.locate(query)
        u = rng.random(len(query))
        if skew != 1.0:
            u = u**skew
        off = np.minimum((u * self.count[pos]).astype(np.int64), self.count[pos] - 1)
        out = self.order[self.start[pos] + off]
        return np.where(found, out, -1)

    def size(self, query: IntArray) -> IntArray:
        pos, found = self.locate(np.asarray(query, dtype=np.int64))
        return np.where(found, self.count[pos], 0)


def where_or_none(mask: BoolArray, values: npt.ArrayLike) -> StrArray:
    """values where mask holds, None elsewhere (an object array)."""
    out = np.full(len(mask), None, dtype=object)
    vals = np.asarray(values, dtype=object)
    out[mask] = vals[mask] if vals.ndim else vals
    return out


def take_str(values: StrArray, idx: IntArray) -> StrArray:
    """values[idx] with None where idx is -1."""
    out = np.empty(len(idx), dtype=object)
    ok = idx >= 0
    out[ok] = values[idx[ok]]
    return out


# --- phone numbers ------------------------------------------------------------------------
_MOBILE_BLOCKS = np.array(
    [b for b in range(7400, 8000)
     if not (7600 <= b < 7700) and b not in (7509, 7524, 7700, 7781, 7797, 7829, 7839, 7911,
                                             7924, 7937)],
    dtype=np.int64,
)
_LANDLINE_AREAS = np.array([113, 114, 115, 116, 117, 118, 121, 131, 141, 151, 161, 191],
                           dtype=np.int64)
N_PHONE_STYLES = 7


def random_mobiles(rng: np.random.Generator, n: int) -> IntArray:
    """National significant numbers of UK mobiles (10 digits, starting 7)."""
    block = _MOBILE_BLOCKS[rng.integers(0, len(_MOBILE_BLOCKS), n)]
    return block * 1_000_000 + rng.integers(100_000, 1_000_000, n)


def random_landlines(rng: np.random.Generator, n: int) -> IntArray:
    area = _LANDLINE_AREAS[rng.integers(0, len(_LANDLINE_AREAS), n)]
    return area * 10_000_000 + rng.integers(2_000_000, 3_000_000, n)


def _styles(n: int) -> tuple[str, ...]:
    s = str(n)
    if s[0] == "7":
        h, t = s[:4], s[4:]
        return (f"0{h} {t}", f"0{h}{t}", f"+44 {h} {t}", f"+44{h}{t}", f"0044 {h} {t}",
                f"0{h} {t[:3]} {t[3:]}", f"(0{h}) {t}")
    h, m, t = s[:3], s[3:6], s[6:]
    return (f"0{h} {m} {t}", f"0{h}{m}{t}", f"+44 {h} {m} {t}", f"+44{h}{m}{t}",
            f"0044 {h} {m} {t}", f"0{h}-{m}-{t}", f"(0{h}) {m} {t}")


def phone_style_table(nsn: IntArray) -> StrArray:
    """All written forms of each number: shape (len(nsn), N_PHONE_STYLES)."""
    rows = [_styles(int(n)) for n in np.asarray(nsn, dtype=np.int64)]
    table = np.empty((len(rows), N_PHONE_STYLES), dtype=object)
    if rows:
        table[:, :] = rows
    return table


def format_phones(nsn: IntArray, style: IntArray) -> StrArray:
    """Write national significant numbers in one of the usual UK styles."""
    nsn = np.asarray(nsn, dtype=np.int64)
    style = np.asarray(style, dtype=np.int64) % N_PHONE_STYLES
    return np.array([_styles(int(n))[int(k)] for n, k in zip(nsn, style, strict=True)],
                    dtype=object)
