"""Sampled timing: which blocks of a large grid to emulate, and how the blocks that were
emulated stand for the ones that were not.

Every block gets a signature: per grid dimension, whether its coordinate is the first, the
last or an interior one. Blocks with the same signature take the same edge paths of a
kernel (bounds checks, ragged tiles), so the sample holds one block of every signature in
the grid (first, last, edges, corners, one interior) plus a few random ones; an unsampled
block is charged like the heaviest sampled block of its signature (the one that issued the
most instructions), so blocks that skip their work (every eighth one working, say) can
make the estimate only dearer, never cheaper."""

from __future__ import annotations

import numpy as np

from isa.nvidia.ptx.results import BlockProfile

RANDOM_BLOCKS = 3


def _coords(ids: np.ndarray, grid: tuple[int, int, int]) -> list[np.ndarray]:
    return [ids % grid[0], (ids // grid[0]) % grid[1], ids // (grid[0] * grid[1])]


def signatures(ids: np.ndarray, grid: tuple[int, int, int]) -> np.ndarray:
    """Per block: sum over dimensions of 3^d x (0 first, 1 interior, 2 last)."""
    code = np.zeros(ids.shape, dtype=np.int64)
    for d, (c, size) in enumerate(zip(_coords(ids, grid), grid, strict=True)):
        cls = np.where(c == 0, 0, np.where(c == size - 1, 2, 1))
        code += cls * 3**d
    return code


def sample_blocks(
    grid: tuple[int, int, int], rng: np.random.Generator, randoms: int = RANDOM_BLOCKS
) -> list[int]:
    """Linear ids of the blocks to emulate: one per signature, plus `randoms` at random."""
    total = grid[0] * grid[1] * grid[2]
    if total <= 27 + randoms:
        return list(range(total))
    chosen: set[int] = set()
    choices = [sorted({0, size // 2, size - 1}) for size in grid]
    for z in choices[2]:
        for y in choices[1]:
            for x in choices[0]:
                chosen.add(x + grid[0] * (y + grid[1] * z))
    picks = rng.choice(total, size=min(randoms, total), replace=False)
    chosen.update(int(p) for p in picks)
    return sorted(chosen)


def expand(profile: BlockProfile, grid: tuple[int, int, int]) -> BlockProfile:
    """A profile of every block of `grid` from the sampled blocks in `profile`."""
    total = grid[0] * grid[1] * grid[2]
    if profile.ids.size >= total:
        return profile
    sampled = signatures(profile.ids, grid)
    every = np.arange(total, dtype=np.int64)
    wanted = signatures(every, grid)
    codes = np.unique(sampled)
    by_class = np.zeros((codes.size, profile.by_class.shape[1]))
    dram = np.zeros(codes.size)
    hit = np.zeros(codes.size)
    fresh = np.zeros(codes.size)
    sectors = np.zeros(codes.size)
    stores = np.zeros(codes.size)
    work = profile.by_class.sum(axis=1)
    for i, code in enumerate(codes):
        rows = np.flatnonzero(sampled == code)
        j = int(rows[np.argmax(work[rows])])
        by_class[i] = profile.by_class[j]
        dram[i] = profile.path_dram[j]
        hit[i] = profile.path_hit[j]
        fresh[i] = profile.first_touch[j]
        sectors[i] = profile.sectors[j]
        stores[i] = profile.store_sectors[j]
    # a signature no sampled block has (cannot happen with `sample_blocks`) takes the
    # interior blocks' figures, or the heaviest sampled ones
    index = np.searchsorted(codes, wanted)
    index = np.clip(index, 0, codes.size - 1)
    missing = codes[index] != wanted
    if missing.any():
        index[missing] = int(np.argmax(dram))
    return BlockProfile(
        every,
        by_class[index],
        dram[index],
        hit[index],
        fresh[index],
        sectors[index],
        stores[index],
    )
