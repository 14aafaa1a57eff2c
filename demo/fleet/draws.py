"""Random draws the planners share, vectorised: a draw for millions of vends is a few array operations, not a loop."""

import numpy as np


def allocate(rng: np.random.Generator, n: int, shares: dict) -> np.ndarray:
    """``n`` picks among the keys of ``shares`` (as indices), in those shares exactly, in random order.

    Largest-remainder rounding rather than independent draws, so even a dozen devices get every common kind.
    """
    quotas = np.array(list(shares.values()), dtype=float) * n / sum(shares.values())
    counts = np.floor(quotas).astype(int)
    by_remainder = np.argsort(counts - quotas, kind="stable")
    counts[by_remainder[: n - counts.sum()]] += 1
    picks = np.repeat(np.arange(len(shares)), counts)
    rng.shuffle(picks)
    return picks


def sample_within_groups(
    rng: np.random.Generator, groups: np.ndarray, weights: np.ndarray, starts: np.ndarray
) -> np.ndarray:
    """For each entry of ``groups``, draw a member of that group with probability proportional to its weight.

    Group ``g`` owns ``weights[starts[g]:starts[g + 1]]``; the result indexes ``weights``. Groups drawn from must have
    a positive total. One ``searchsorted`` serves all draws: members sit on a shared axis where group ``g`` spans
    ``(g, g + 1]`` in proportion to their weights.
    """
    sizes = np.diff(starts)
    owner = np.repeat(np.arange(len(sizes)), sizes)
    running = np.concatenate(([0.0], np.cumsum(weights)))
    before = running[starts[:-1]]
    totals = running[starts[1:]] - before
    totals[totals == 0] = 1.0
    edges = owner + (running[1:] - before[owner]) / totals[owner]
    # Shrinking the draw keeps rounding in the edges from ever spilling a draw into the next group.
    points = groups + rng.random(len(groups)) * (1 - 1e-9)
    return np.searchsorted(edges, points, side="right")
