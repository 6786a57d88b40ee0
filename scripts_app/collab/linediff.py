"""A diff of two sequences whose cost has a ceiling, whatever the text (pure Python, no Django).

Every diff of user text goes through here: scene lines (the smallest edits of the one door for
text, a version against the scene now, a proposal's hunks), characters (how alike two short
scenes are) and parsed elements (revision asterisks). difflib cannot be trusted with user text:
its longest-match search is cubic on repeated items, so a scene of 2,000 "△" lines against the
same scene with every other line edited took 80 s, while holding the document's row lock.

How a diff is found, cheapest first:
1. Items become ints (equal items, equal ints), so every comparison below is one int comparison.
2. The common prefix and suffix are matched outright: ordinary typing changes a few lines in the
   middle, and this alone leaves little to diff.
3. Myers' O(ND) algorithm finds a shortest edit script for what is left (D is the number of lines
   inserted plus deleted, so a small edit costs little however long the scene).
4. When that would take more than its share of the work budget (a huge rewrite, or a pathological
   text), patience diff anchors on items that occur once on each side, in order, and each gap
   between anchors is diffed again from step 2 with what is left of the budget.
5. What still does not fit is one replacement of the whole changed region: correct, just coarser.

The result is always correct (the equal runs are really equal and in order); past the budget it is
only less minimal. Time is O(n log n + WORK) for sequences of n items, whatever their content.

ratio() (how alike two scenes are) needs only the length of the longest common subsequence, not
where it lies, so it computes that exactly with a bit-parallel dynamic programme whose cost depends
on the lengths alone (a few big-int operations per item), falling back to the diff above only
beyond LCS_CELLS. difflib's ratio approximated the same quantity (its matches are a common
subsequence too, found greedily): on the sample scripts' scenes and their ordinary edits, scene
identity decides as it did (tests/test_hardening_diffs.py).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Hashable, Sequence

# Steps of Myers' algorithm one diff may take (one step: one diagonal visited or one item matched).
# About 0.1 s of pure Python. The first attempt gets half, which finds a shortest script for up to
# about 750 lines inserted or deleted; bigger rewrites go on to patience anchors.
WORK = 600_000
# Above this many cells (items of one side times items of the other) ratio() stops computing the
# exact longest common subsequence: 20,000 x 20,000 lines takes about 0.1 s.
LCS_CELLS = 20_000 * 20_000
# Nesting of patience diff inside gaps: each level costs O(n log n), so this bounds their sum.
MAX_DEPTH = 8

# As difflib's: (tag, i1, i2, j1, j2), tag one of equal, replace, delete, insert.
Opcode = tuple[str, int, int, int, int]
Block = tuple[int, int, int]  # a[i:i+size] == b[j:j+size]


class _Budget:
    """Work left for one diff, shared by every region of it so the total stays bounded."""

    def __init__(self, work: int) -> None:
        self.left = work


def _as_ints(a: Sequence[Hashable], b: Sequence[Hashable]) -> tuple[list[int], list[int]]:
    ids: dict[Hashable, int] = {}
    return [ids.setdefault(x, len(ids)) for x in a], [ids.setdefault(x, len(ids)) for x in b]


def _myers(a: list[int], b: list[int], a0: int, a1: int, b0: int, b1: int,
           limit: int) -> tuple[list[Block] | None, int]:  # fmt: skip
    """The equal runs of a shortest edit script of a[a0:a1] -> b[b0:b1] and the work it took; None
    for the runs once the work passes `limit`.

    Greedy forward search (Myers 1986): after round d, row[i] is the furthest x reached with d
    inserts and deletes on diagonal k = 2i - d (k = x - y), or -1 when no such path stays inside
    the grid. Every round's row is kept to walk the path back, so memory is O(D^2), which the work
    limit bounds too."""
    n, m = a1 - a0, b1 - b0
    work = 0
    trace: list[list[int]] = []
    prev: list[int] = []
    for d in range(n + m + 1):
        row = [-1] * (d + 1)
        for i in range(d + 1):
            k = 2 * i - d
            if d == 0:
                x = 0
            else:  # _step, inlined: this loop is the hot one
                down = prev[i] if i < d else -1
                if down >= 0 and down - k > m:
                    down = -1
                right = prev[i - 1] + 1 if i > 0 and prev[i - 1] >= 0 else -1
                if right > n:
                    right = -1
                x = down if down >= right else right
                if x < 0:
                    work += 1
                    continue
            y = x - k
            start = x
            while x < n and y < m and a[a0 + x] == b[b0 + y]:
                x += 1
                y += 1
            work += 1 + x - start
            row[i] = x
            if x == n and y == m:
                trace.append(row)
                return _path(trace, a0, b0, n, m), work
        trace.append(row)
        prev = row
        if work > limit:
            return None, work
    raise AssertionError("an edit script of n + m steps always exists")


def _step(prev: list[int], i: int, d: int, k: int, n: int, m: int) -> tuple[int, bool]:
    """Where round d starts on diagonal k from round d - 1's row: (x, whether it came down), x = -1
    when neither move stays inside the grid. Down (an insert) from diagonal k + 1 keeps x; right (a
    delete) from diagonal k - 1 adds one; the further wins, down on a tie."""
    down = prev[i] if i < d else -1
    if down >= 0 and down - (k + 1) >= m:  # y is already at the bottom edge
        down = -1
    right = prev[i - 1] + 1 if i > 0 and prev[i - 1] >= 0 else -1
    if right > n:
        right = -1
    return (down, True) if down >= right else (right, False)


def _path(trace: list[list[int]], a0: int, b0: int, n: int, m: int) -> list[Block]:
    """Walk the rounds back from (n, m) to (0, 0), collecting the diagonal runs (snakes)."""
    blocks: list[Block] = []
    x, y = n, m
    for d in range(len(trace) - 1, -1, -1):
        k = x - y
        i = (k + d) // 2
        if d == 0:
            x0 = y0 = 0
        else:
            x0, came_down = _step(trace[d - 1], i, d, k, n, m)
            y0 = x0 - k
            x, y = (x0, y0 - 1) if came_down else (x0 - 1, y0)  # where round d - 1 ended
        end = trace[d][i]
        if end > x0:
            blocks.append((a0 + x0, b0 + y0, end - x0))
    blocks.reverse()
    return blocks


def _unique_anchors(a: list[int], b: list[int], a0: int, a1: int, b0: int, b1: int) -> list[tuple[int, int]]:
    """Patience diff's anchors: pairs (i, j) of items that occur once in each region, the longest
    chain of them that is in the same order on both sides (longest increasing subsequence)."""
    count_a, count_b = Counter(a[a0:a1]), Counter(b[b0:b1])
    where_b = {b[j]: j for j in range(b0, b1) if count_b[b[j]] == 1}
    pairs = [(i, where_b[a[i]]) for i in range(a0, a1) if count_a[a[i]] == 1 and a[i] in where_b]
    # Patience sorting: tails[t] is the smallest j that ends a chain of length t + 1.
    tails: list[int] = []
    tail_at: list[int] = []  # index into pairs of each tail
    back: list[int] = []  # index into pairs of the previous element of the chain ending here
    for n, (_i, j) in enumerate(pairs):
        t = bisect_left(tails, j)
        back.append(tail_at[t - 1] if t else -1)
        if t == len(tails):
            tails.append(j)
            tail_at.append(n)
        else:
            tails[t] = j
            tail_at[t] = n
    chain = []
    n = tail_at[-1] if tail_at else -1
    while n >= 0:
        chain.append(pairs[n])
        n = back[n]
    chain.reverse()
    return chain


def _diff(a: list[int], b: list[int], a0: int, a1: int, b0: int, b1: int, budget: _Budget, depth: int,
          out: list[Block]) -> None:  # fmt: skip
    """Append the equal runs of a[a0:a1] -> b[b0:b1] to `out`, in order."""
    start = a0
    while a0 < a1 and b0 < b1 and a[a0] == b[b0]:
        a0 += 1
        b0 += 1
    if a0 > start:
        out.append((start, b0 - (a0 - start), a0 - start))
    end = a1
    while a1 > a0 and b1 > b0 and a[a1 - 1] == b[b1 - 1]:
        a1 -= 1
        b1 -= 1
    suffix = (a1, b1, end - a1) if end > a1 else None
    if a0 < a1 and b0 < b1:  # something on both sides: a real diff (else a pure insert or delete)
        # Half of what is left, so a failed attempt leaves work for the gaps of step 4.
        blocks, work = _myers(a, b, a0, a1, b0, b1, budget.left // 2)
        budget.left -= work
        if blocks is not None:
            out += blocks
        else:
            anchors = _unique_anchors(a, b, a0, a1, b0, b1) if depth < MAX_DEPTH else []
            x, y = a0, b0
            for i, j in anchors:
                _diff(a, b, x, i, y, j, budget, depth + 1, out)
                out.append((i, j, 1))
                x, y = i + 1, j + 1
            if anchors:  # without any, the whole region stays one replacement
                _diff(a, b, x, a1, y, b1, budget, depth + 1, out)
    if suffix:
        out.append(suffix)


def _merged(blocks: list[Block]) -> list[Block]:
    out: list[Block] = []
    for i, j, size in blocks:
        if out and out[-1][0] + out[-1][2] == i and out[-1][1] + out[-1][2] == j:
            pi, pj, psize = out[-1]
            out[-1] = (pi, pj, psize + size)
        else:
            out.append((i, j, size))
    return out


def matching_blocks(a: Sequence[Hashable], b: Sequence[Hashable], *, work: int | None = None) -> list[Block]:
    """Runs (i, j, size) with a[i:i+size] == b[j:j+size], increasing in i and j, adjacent runs merged
    (difflib's get_matching_blocks without its final sentinel)."""
    ia, ib = _as_ints(a, b)
    out: list[Block] = []
    _diff(ia, ib, 0, len(ia), 0, len(ib), _Budget(WORK if work is None else work), 0, out)
    return _merged(out)


def opcodes(a: Sequence[Hashable], b: Sequence[Hashable], *, work: int | None = None) -> list[Opcode]:
    """How to turn a into b, as difflib's get_opcodes: equal runs and the changes between them (a
    change is never next to another change: a delete and an insert in one place are one replace)."""
    ops: list[Opcode] = []
    i = j = 0
    for ai, bj, size in [*matching_blocks(a, b, work=work), (len(a), len(b), 0)]:
        if i < ai or j < bj:
            tag = "replace" if i < ai and j < bj else "delete" if i < ai else "insert"
            ops.append((tag, i, ai, j, bj))
        if size:
            ops.append(("equal", ai, ai + size, bj, bj + size))
        i, j = ai + size, bj + size
    return ops


def _lcs_length(a: list[int], b: list[int]) -> int:
    """The longest common subsequence's length, exactly, by bit-parallel dynamic programming (Allison
    and Dix 1986, Hyyro 2004): one bit per item of a, one big-int step per item of b. Its cost is
    len(a) * len(b) / 30 machine operations whatever the content (no pathological case), which the
    caller keeps small."""
    masks: dict[int, int] = {}
    wanted = set(b)
    for i, x in enumerate(a):
        if x in wanted:
            masks[x] = masks.get(x, 0) | (1 << i)
    full = (1 << len(a)) - 1
    # After each item of b, the 0 bits of v mark where a row of the LCS table steps up by one; the
    # addition carries a match along a run of 1 bits, which is the table's max() done 30 bits at once.
    v = full
    for y in b:
        u = v & masks.get(y, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - v.bit_count()


def ratio(a: Sequence[Hashable], b: Sequence[Hashable], *, work: int | None = None) -> float:
    """2 * matched / (len(a) + len(b)), as difflib's ratio (1.0 for two empty sequences), where
    matched is the longest common subsequence: exact while the changed middle is at most LCS_CELLS
    (about two 20,000-line scenes, 0.1 s), a lower bound from the bounded diff beyond."""
    total = len(a) + len(b)
    if not total:
        return 1.0
    ia, ib = _as_ints(a, b)
    # The common ends first: for an ordinary edit the middle left to compare is a line or two.
    lo, hi_a, hi_b = 0, len(ia), len(ib)
    while lo < hi_a and lo < hi_b and ia[lo] == ib[lo]:
        lo += 1
    while hi_a > lo and hi_b > lo and ia[hi_a - 1] == ib[hi_b - 1]:
        hi_a -= 1
        hi_b -= 1
    mid_a, mid_b = ia[lo:hi_a], ib[lo:hi_b]
    if len(mid_a) > len(mid_b):
        mid_a, mid_b = mid_b, mid_a  # the shorter side as bits: smaller masks
    if len(mid_a) * len(mid_b) <= LCS_CELLS:
        matched = lo + (len(ia) - hi_a) + _lcs_length(mid_a, mid_b)
    else:
        out: list[Block] = []
        _diff(ia, ib, 0, len(ia), 0, len(ib), _Budget(WORK if work is None else work), 0, out)
        matched = sum(size for _i, _j, size in out)
    return 2 * matched / total
