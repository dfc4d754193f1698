"""RFC 9162 Merkle tree: hashes, roots, proofs as plans over stored subtrees, and proof checks.

Leaves are H(0x00 || entry) and inner nodes H(0x01 || left || right) with
SHA-256. A "perfect node" (level, index) is the root of the aligned subtree
over leaves [index * 2**level, (index + 1) * 2**level); a log stores those
hashes once, so any root or proof for any size is a handful of lookups.
Proof *plans* name the perfect nodes each proof element is built from, so the
server fetches them in one query and this module folds them into hashes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

Node = tuple[int, int]
"""A perfect subtree: (level, index)."""


class ProofError(ValueError):
    """A proof that does not prove what it claims, or arguments no proof could satisfy."""


def hash_leaf(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    """The largest power of two strictly less than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


def range_nodes(start: int, end: int) -> list[Node]:
    """The perfect nodes whose right fold is MTH(D[start:end]), largest first.

    Valid for the ranges RFC 9162's recursion produces: `start` is a multiple
    of the largest power of two not exceeding `end - start`.
    """
    nodes: list[Node] = []
    position = start
    remaining = end - start
    while remaining > 0:
        level = remaining.bit_length() - 1
        size = 1 << level
        nodes.append((level, position >> level))
        position += size
        remaining -= size
    return nodes


def fold(hashes: Sequence[bytes]) -> bytes:
    """Combine the hashes of a range's perfect nodes (largest first) into the range's root."""
    if not hashes:
        return EMPTY_ROOT
    result = hashes[-1]
    for left in reversed(hashes[:-1]):
        result = hash_children(left, result)
    return result


def root_plan(size: int) -> list[Node]:
    return range_nodes(0, size)


def inclusion_plan(index: int, size: int) -> list[list[Node]]:
    """RFC 9162 §2.1.3.1 PATH(index, D[size]) as ranges, leaf side first."""
    if not 0 <= index < size:
        raise ProofError(f"index {index} is not in a tree of size {size}")
    ranges: list[tuple[int, int]] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = _largest_power_of_two_below(end - start)
        if m < k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
            m -= k
    return [range_nodes(a, b) for a, b in reversed(ranges)]


def consistency_plan(old: int, new: int) -> list[list[Node]]:
    """RFC 9162 §2.1.4.1 PROOF(old, D[new]) as ranges, in proof order."""
    if not 0 <= old <= new:
        raise ProofError(f"no consistency proof from size {old} to size {new}")
    if old == 0 or old == new:
        return []
    ranges: list[tuple[int, int]] = []
    start, end, m, complete = 0, new, old, True
    while True:
        n = end - start
        if m == n:
            if not complete:
                ranges.append((start, end))
            break
        k = _largest_power_of_two_below(n)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
            m -= k
            complete = False
    return [range_nodes(a, b) for a, b in reversed(ranges)]


def resolve(plan: Iterable[list[Node]], lookup: Callable[[Node], bytes]) -> list[bytes]:
    return [fold([lookup(node) for node in nodes]) for nodes in plan]


def plan_nodes(plan: Iterable[list[Node]]) -> set[Node]:
    return {node for nodes in plan for node in nodes}


class TreeBuilder:
    """Append leaf hashes and emit every perfect node as it completes (the sequencer's compact range)."""

    def __init__(self, size: int = 0, frontier: Sequence[bytes] = ()) -> None:
        # `frontier` holds the hashes of root_plan(size), largest first.
        if len(frontier) != bin(size).count("1"):
            raise ValueError("the frontier does not match the tree size")
        self.size = size
        self._stack: list[tuple[int, bytes]] = [
            (level, h) for (level, _), h in zip(root_plan(size), frontier, strict=True)
        ]

    def append(self, leaf: bytes) -> list[tuple[Node, bytes]]:
        """Add one leaf hash; return the perfect nodes of level >= 1 it completes."""
        made: list[tuple[Node, bytes]] = []
        index, level, current = self.size, 0, leaf
        while self._stack and self._stack[-1][0] == level:
            _, left = self._stack.pop()
            current = hash_children(left, current)
            level += 1
            made.append(((level, index >> level), current))
        self._stack.append((level, current))
        self.size += 1
        return made

    def root(self) -> bytes:
        return fold([h for _, h in self._stack])


def root_from_leaves(leaves: Iterable[bytes]) -> tuple[int, bytes]:
    """Size and root of the tree over `leaves` (leaf hashes), in one pass and O(log n) memory."""
    stack: list[bytes] = []
    levels: list[int] = []
    size = 0
    for current in leaves:
        level = 0
        while levels and levels[-1] == level:
            levels.pop()
            current = hash_children(stack.pop(), current)
            level += 1
        stack.append(current)
        levels.append(level)
        size += 1
    return size, fold(stack)


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 §2.1.3.2; raise ProofError unless `proof` puts `leaf` at `index` under `root`."""
    if root_from_inclusion(index, size, leaf, proof) != root:
        raise ProofError("the inclusion proof does not lead to the root")


def root_from_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    if not 0 <= index < size:
        raise ProofError(f"index {index} is not in a tree of size {size}")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if len(p) != HASH_SIZE:
            raise ProofError("a proof hash is not 32 bytes")
        if sn == 0:
            raise ProofError("the inclusion proof is too long")
        if fn & 1 or fn == sn:
            r = hash_children(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = hash_children(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is too short")
    return r


def verify_consistency(old: int, new: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> None:
    """RFC 9162 §2.1.4.2; raise ProofError unless the tree of size `old` is a prefix of `new`."""
    if not 0 <= old <= new:
        raise ProofError(f"size {old} cannot precede size {new}")
    if old == new:
        if proof:
            raise ProofError("equal sizes need an empty consistency proof")
        if old_root != new_root:
            raise ProofError("the same size has two different roots")
        return
    if old == 0:
        if proof:
            raise ProofError("a proof from the empty tree must be empty")
        return
    if not proof:
        raise ProofError("the consistency proof is empty")
    if any(len(p) != HASH_SIZE for p in proof):
        raise ProofError("a proof hash is not 32 bytes")
    path = list(proof)
    if old & (old - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old - 1, new - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = hash_children(c, fr)
            sr = hash_children(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = hash_children(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the consistency proof is too short")
    if fr != old_root:
        raise ProofError("the consistency proof does not lead to the old root")
    if sr != new_root:
        raise ProofError("the consistency proof does not lead to the new root")
