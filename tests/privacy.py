"""What an attacker who dumps the database may relink by chance alone, when ballots are mixed in batches."""

from __future__ import annotations

import math


def relink_bound(n: int, k: int) -> float:
    """The highest share of `n` voters a dump may pair with their ballot by chance, batches being `k` ballots.

    Within a shuffled batch of k, pairing the i-th voter with the i-th ballot is right one time in k, so
    the hits follow a binomial law of n trials at 1/k. Five standard deviations above its mean are
    passed by chance about once in 200,000 attacks (5.7e-6 at n=120, k=10; a run makes a dozen), while
    a design that keeps the order relinks every voter.
    """
    p = 1 / k
    return p + 5 * math.sqrt(n * p * (1 - p)) / n
