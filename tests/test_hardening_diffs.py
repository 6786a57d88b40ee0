"""Diffs of user text cost bounded time, and stay right: linediff fuzzed against its promises, and
every diff of scene text fed repeated lines at the scene limit.

difflib was cubic on repeated lines (a 2,000-line scene of "△" against itself with every other line
edited: 80 s, under the document's row lock). The time bounds here are hang guards only, in CPU
seconds of this process (so a busy machine does not fail them): the old code took hours on these
texts. How fast each diff really is belongs to bench/diffs.py (docs/benchmarks.md).
"""

from __future__ import annotations

import difflib
import time
from collections.abc import Callable, Iterator
from unittest.mock import patch

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from scripts_app.ai import hunks
from scripts_app.collab import documents, episode_text, linediff, store, textdiff
from scripts_app.models import SceneVersion
from scripts_app.services import shooting_script
from scripts_app.services.scenes import create_scene
from scripts_app.views.scenes import compared_lines

from .base import BaseTestCase
from .hostile_text import (
    HEADING,
    SAMPLES,
    hostile_diff_pairs,
    hostile_short_pairs,
    ordinary_revision,
    ordinary_scene,
)
from .test_hardening_parsers import cpu_limit

HANG_GUARD = 10.0  # CPU seconds for one diff at the scene limit; the bench measures about 0.1 s


def lcs(a, b) -> int:
    """The longest common subsequence's length, by the textbook table (small inputs only)."""
    row = [0] * (len(b) + 1)
    for x in a:
        new = [0]
        for j, y in enumerate(b):
            new.append(row[j] + 1 if x == y else max(row[j + 1], new[j]))
        row = new
    return row[-1]


def rebuilt(a, b, ops) -> list:
    """b, rebuilt from a and the opcodes; checks what each opcode claims on the way."""
    out: list = []
    i = j = 0
    previous = "equal"
    for tag, i1, i2, j1, j2 in ops:
        assert (i1, j1) == (i, j), "opcodes leave no gap"
        assert tag == "equal" or previous == "equal", "a change is never next to another change"
        if tag == "equal":
            assert list(a[i1:i2]) == list(b[j1:j2]) and i2 > i1
            out += a[i1:i2]
        else:
            assert tag == ("replace" if i2 > i1 and j2 > j1 else "delete" if i2 > i1 else "insert")
            out += b[j1:j2]
        i, j, previous = i2, j2, tag
    assert (i, j) == (len(a), len(b))
    return out


# ------------------------------------------------------------------------------------ fuzzing

# Lines a scene is made of, repeated ones above all (where difflib was slow), Chinese, emoji, every
# line end str.splitlines knows, and a last line without one.
LINES = ["△\n", "△x\n", "\n", "\n\n", "张三：好\n", "1-1 日 内 客厅\n", "INT. HOUSE - DAY\n", "😀\n",
         "a\r\n", "b\r", "c\u2028", "中文", "\t\n", "【闪回】\n"]  # fmt: skip
line_texts = st.lists(st.sampled_from(LINES) | st.text(alphabet="ab中文△ \n", max_size=6), max_size=40).map(
    "".join
)


# Only "\n" line ends: hunks.apply mends a line without "\n" before an accepted hunk, and so adds one
# after a lone "\r" or "\u2028" (its own behaviour, whatever the diff).
NEWLINE_LINES = [line for line in LINES if line.endswith("\n")]
newline_texts = st.lists(
    st.sampled_from(NEWLINE_LINES) | st.text(alphabet="ab中文△ \n", max_size=6), max_size=40
).map("".join)


@st.composite
def text_pairs(draw, texts=line_texts, lines_made_of=LINES) -> tuple[str, str]:
    """Two versions of a text: unrelated, or the second made from the first by a few line edits."""
    old = draw(texts)
    if draw(st.booleans()):
        return old, draw(texts)
    lines = old.splitlines(keepends=True)
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(lines)))
        if lines and at < len(lines) and draw(st.booleans()):
            del lines[at]
        else:
            lines.insert(at, draw(st.sampled_from(lines_made_of)))
    return old, "".join(lines)


# None: the normal budget; 0 and a few steps: every fallback (patience anchors, one replacement).
budgets = st.sampled_from([None, 0, 1, 7, 40])
small_seqs = st.lists(st.integers(0, 3), max_size=30)


@settings(max_examples=300)
@given(text_pairs(), budgets)
def test_applying_the_diff_to_the_old_text_gives_the_new(pair: tuple[str, str], work: int | None) -> None:
    old, new = pair
    with patch.object(linediff, "WORK", linediff.WORK if work is None else work):
        edits = textdiff.diff(old, new)
    assert textdiff.apply(old, edits) == new
    position = 0
    for e in edits:  # in order, not overlapping, each inside the old text, each doing something
        assert position <= e.start <= e.end <= len(old)
        assert e.end > e.start or e.insert
        position = e.end


@settings(max_examples=300)
@given(small_seqs, small_seqs, budgets)
def test_opcodes_turn_a_into_b_and_only_call_equal_what_is(a: list, b: list, work: int | None) -> None:
    assert rebuilt(a, b, linediff.opcodes(a, b, work=work)) == b


@settings(max_examples=300)
@given(small_seqs, small_seqs)
def test_within_the_budget_the_diff_is_a_shortest_one(a: list, b: list) -> None:
    matched = sum(i2 - i1 for tag, i1, i2, _j1, _j2 in linediff.opcodes(a, b) if tag == "equal")
    assert matched == lcs(a, b)


@settings(max_examples=300)
@given(small_seqs, small_seqs)
def test_ratio_is_the_longest_common_subsequence_over_the_lengths(a: list, b: list) -> None:
    total = len(a) + len(b)
    exact = 2 * lcs(a, b) / total if total else 1.0
    assert linediff.ratio(a, b) == pytest.approx(exact)
    # Past its size limit ratio() falls back to the bounded diff: a lower bound, never more.
    with patch.object(linediff, "LCS_CELLS", 0):
        assert 0 <= linediff.ratio(a, b, work=0) <= exact + 1e-12


@settings(max_examples=200)
@given(text_pairs(newline_texts, NEWLINE_LINES), budgets)
def test_accepting_every_hunk_of_a_proposal_gives_the_proposal(
    pair: tuple[str, str], work: int | None
) -> None:
    base, proposed = pair
    with patch.object(linediff, "WORK", linediff.WORK if work is None else work):
        found = hunks.diff(base, proposed)
        accepted = hunks.apply(base=base, current=base, hunks=found, accept={h.index for h in found})
    assert accepted == proposed


@settings(max_examples=200)
@given(text_pairs())
def test_the_version_page_shows_both_texts_whole(pair: tuple[str, str]) -> None:
    old, new = pair
    rows = compared_lines(old, new)
    assert [line for kind, line in rows if kind != "added"] == old.splitlines()
    assert [line for kind, line in rows if kind != "removed"] == new.splitlines()


@settings(max_examples=200)
@given(line_texts, line_texts)
def test_similarity_stays_between_zero_and_one_and_is_one_only_for_the_same_text(a: str, b: str) -> None:
    value = episode_text._similarity(a, b)
    assert 0.0 <= value <= 1.0
    assert (value == 1.0) == (a == b) or a.splitlines() == b.splitlines()


# ------------------------------------------------------------- ordinary text keeps its results


def _sample_scenes() -> list[str]:
    scenes = []
    for path, fmt in [(p, "zh") for p in sorted(SAMPLES.glob("*zh*.txt"))] + [
        (p, "fountain") for p in sorted(SAMPLES.glob("*.fountain"))
    ]:
        text = path.read_text(encoding="gb18030" if "gb18030" in path.name else "utf-8")
        scenes += [c.text for c in episode_text.split(text, fmt) if c.text.strip()]
    return scenes


def _difflib_similarity(a: str, b: str) -> float:
    """episode_text._similarity as it was, on difflib (fine on short ordinary scenes)."""
    if a == b:
        return 1.0
    lines = difflib.SequenceMatcher(None, a.splitlines(), b.splitlines(), autojunk=False)
    if lines.ratio() >= episode_text.SIMILAR_ENOUGH or len(a) + len(b) > 1200:
        return lines.ratio()
    chars = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if (
        chars.real_quick_ratio() < episode_text.SIMILAR_ENOUGH
        or chars.quick_ratio() < episode_text.SIMILAR_ENOUGH
    ):
        return 0.0
    return chars.ratio()


def _edited(scene: str) -> Iterator[str]:
    """What a writer does to a scene: a line cut, a line added, a line rewritten, a word typed."""
    lines = scene.splitlines(keepends=True)
    for k in range(len(lines)):
        yield "".join(lines[:k] + lines[k + 1 :])
        yield "".join(lines[:k] + ["△她回头看了一眼。\n"] + lines[k:])
        yield "".join(lines[:k] + ["张明：完全不同的一句话。\n"] + lines[k + 1 :])
        yield "".join(
            lines[:k]
            + [lines[k][: len(lines[k]) // 2] + "啊" + lines[k][len(lines[k]) // 2 :]]
            + lines[k + 1 :]
        )


def test_scene_identity_decides_as_before_on_ordinary_scenes() -> None:
    """Every pair of the sample scripts' scenes, and every ordinary edit of each, is judged similar
    enough (the same scene) or not exactly as the difflib version judged it; by lines, an edited
    scene scores exactly what it scored."""
    scenes = _sample_scenes()
    assert len(scenes) > 20
    pairs = [(a, b) for a in scenes for b in scenes if a is not b]
    edits = [(a, b) for a in scenes for b in _edited(a)]
    for a, b in pairs + edits:
        before, now = _difflib_similarity(a, b), episode_text._similarity(a, b)
        assert (before >= episode_text.SIMILAR_ENOUGH) == (now >= episode_text.SIMILAR_ENOUGH), (a, b)
    for a, b in edits:
        if len(a) + len(b) > 1200 or _difflib_similarity(a, b) >= episode_text.SIMILAR_ENOUGH:
            assert episode_text._similarity(a, b) == pytest.approx(_difflib_similarity(a, b))


def test_a_line_typed_among_repeated_lines_is_one_insert_of_that_line() -> None:
    old = ["△\n"] * 19_000
    new = old[:9_000] + ["x\n"] + old[9_000:]
    assert [op[0] for op in linediff.opcodes(old, new)] == ["equal", "insert", "equal"]
    old_text, new_text = HEADING + "△\n" * 19_000, HEADING + "△\n" * 9_000 + "x\n" + "△\n" * 10_000
    edits = textdiff.diff(old_text, new_text)
    assert len(edits) == 1 and len(edits[0].insert) == 2 and edits[0].start == edits[0].end


def test_inside_a_short_changed_line_each_replaced_word_is_its_own_edit() -> None:
    old, new = "△张明看着张父，笑了。\n△门开了。\n", "△李明看着李父，笑了。\n△门开了。\n"
    assert textdiff.diff(old, new) == [textdiff.Edit(1, 2, "李"), textdiff.Edit(5, 6, "李")]
    # A rewritten line that shares a character or two with the old one by chance is one edit.
    old, new = "△今天天气很好。\n△门开了。\n", "△明天我们去吃饭。\n△门开了。\n"
    assert textdiff.diff(old, new) == [textdiff.Edit(1, 7, "明天我们去吃饭")]
    # Changes all over a line are one edit too: every edit is an operation on the shared document.
    old, new = "△" + "aaaa" * 10 + "\n△门开了。\n", "△" + "aaaab" * 10 + "\n△门开了。\n"
    assert len(textdiff.diff(old, new)) == 1


def test_a_long_line_of_scattered_changes_costs_linear_work() -> None:
    """Short regions are diffed by character, each with work linear in its length: many of them, each
    a pathological case, stay bounded (the hang guard, and still exact)."""
    old = "".join(f"△{k}\n" + "ab" * 90 + "\n" for k in range(1_000))
    new = "".join(f"△{k}\n" + "ba" * 90 + "\n" for k in range(1_000))
    with cpu_limit(HANG_GUARD):
        edits = textdiff.diff(old, new)
    assert textdiff.apply(old, edits) == new


@pytest.mark.parametrize("fmt", ["zh", "fountain"])
def test_a_revision_pass_over_a_long_scene_stays_line_by_line(fmt: str) -> None:
    """Past Myers' budget (about 1,000 changed lines), the lines that occur once still anchor the diff:
    the edits are the changed lines, not the whole scene."""
    old = ordinary_scene(fmt)
    new = ordinary_revision(old)
    edits = textdiff.diff(old, new)
    assert textdiff.apply(old, edits) == new
    assert len(edits) > 500
    assert sum(len(e.insert) for e in edits) < len(new) // 20


# ------------------------------------------------------------------- hostile pairs, scene limit

PAIRS = {name: (old, new) for name, old, new in hostile_diff_pairs()}


def _textdiff(old: str, new: str) -> None:
    assert textdiff.apply(old, textdiff.diff(old, new)) == new


def _hunks(old: str, new: str) -> None:
    found = hunks.diff(old, new)
    current = "△同事加的一行。\n" + old  # a colleague typed meanwhile: every hunk is carried over
    assert hunks.apply(base=old, current=current, hunks=found, accept={h.index for h in found}) == (
        "△同事加的一行。\n" + new
    )
    hunks.placed(base=old, current=current, hunks=found)


def _revision_marks(old: str, new: str) -> None:
    elements, marks = shooting_script._marked_elements(shooting_script._Scene("1", new, False, old), "zh")
    assert len(marks) == len(elements)


def _scene_identity(old: str, new: str) -> None:
    """The row sync after live typing: the episode split into scenes, each matched to a stored one."""
    other = "1-2 夜 外 街道\n△雨。\n"
    if not old.startswith(HEADING):  # text before the first heading would join the next scene
        old, new = HEADING + old, HEADING + new
    chunks = episode_text.split(new + "\n" + other, "zh")
    stored = [episode_text.StoredScene(1, old), episode_text.StoredScene(2, other)]
    assert episode_text.match(chunks, stored, locked=False)[-1] == 2


def _version_page(old: str, new: str) -> None:
    rows = compared_lines(old, new)
    assert [line for kind, line in rows if kind != "added"] == old.splitlines()


DIFFS: dict[str, Callable[[str, str], object]] = {
    "textdiff": _textdiff,
    "similarity": episode_text._similarity,
    "scene identity": _scene_identity,
    "version page": _version_page,
    "proposal hunks": _hunks,
    "revision marks": _revision_marks,
}


@pytest.mark.parametrize("diff", sorted(DIFFS))
@pytest.mark.parametrize("pair", sorted(PAIRS))
def test_every_diff_of_a_hostile_scene_finishes(diff: str, pair: str) -> None:
    old, new = PAIRS[pair]
    assert len(old) < 200_000 and len(new) < 200_000
    assert old.count("\n") < 20_000 and new.count("\n") < 20_000
    started = time.process_time()
    with cpu_limit(HANG_GUARD):
        DIFFS[diff](old, new)
    assert time.process_time() - started < HANG_GUARD


@pytest.mark.parametrize("pair", [name for name, _a, _b in hostile_short_pairs()])
def test_short_scenes_compared_by_character_finish(pair: str) -> None:
    old, new = {name: (a, b) for name, a, b in hostile_short_pairs()}[pair]
    assert len(old) + len(new) <= 1200  # the size compared by character
    with cpu_limit(HANG_GUARD):
        value = episode_text._similarity(old, new)
    by_lines = 2 * lcs(old.splitlines(), new.splitlines()) / (len(old.splitlines()) + len(new.splitlines()))
    by_chars = 2 * lcs(old, new) / (len(old) + len(new))
    assert value == pytest.approx(by_lines if by_lines >= episode_text.SIMILAR_ENOUGH else by_chars)


def _episode(count: int, edit: str = "") -> str:
    return "".join(
        f"1-{k} 日 内 客厅{k}\n△他走进来。{edit}\n张三：好。\n李四：走吧。\n\n" for k in range(count)
    )


def test_an_episode_of_two_thousand_scenes_all_edited_keeps_every_identity_in_bounded_time() -> None:
    """Every leftover chunk against every leftover scene was quadratic (2,000 scenes: 4 million
    comparisons); past IDENTITY_WORK a chunk is compared with the next scene in order only."""
    stored = [
        episode_text.StoredScene(k, c.text) for k, c in enumerate(episode_text.split(_episode(2000), "zh"))
    ]
    chunks = episode_text.split(_episode(2000, edit="（改）"), "zh")
    with cpu_limit(HANG_GUARD):
        result = episode_text.match(chunks, stored, locked=False)
    assert result == list(range(2000))
    # Pasted over with unrelated scenes: new scenes, found as fast.
    pasted = episode_text.split("".join(f"2-{k} 夜 外 街道{k}\n△雨一直下。\n" for k in range(2000)), "zh")
    with cpu_limit(HANG_GUARD):
        assert episode_text.match(pasted, stored, locked=False) == [None] * 2000


def test_within_the_work_an_episode_is_matched_as_without_any_bound() -> None:
    stored = [
        episode_text.StoredScene(k, c.text) for k, c in enumerate(episode_text.split(_episode(40), "zh"))
    ]
    texts = [c.text for c in episode_text.split(_episode(40, edit="（改）"), "zh")]
    texts[3], texts[30] = texts[30], texts[3]  # two scenes moved and edited at once
    texts[10] = "1-10 夜 外 街道\n△完全不同的一场戏，雨一直下，没有人说话。\n"
    chunks = episode_text.split("\n".join(texts), "zh")
    bounded = episode_text.match(chunks, stored, locked=False)
    with patch.object(episode_text, "IDENTITY_WORK", 10**12):
        assert episode_text.match(chunks, stored, locked=False) == bounded
    assert bounded[3] == 30 and bounded[30] == 3


# -------------------------------------------------------------- the audit's requests, end to end


class HostileSceneRequestsTestCase(BaseTestCase):
    """The requests the audit timed (save with a shared document: 3.4 s at 600 lines; the version
    page: 9.3 s; the row sync after live typing: 4.7 s at 800), at 20,000 lines."""

    def setUp(self) -> None:
        super().setUp()
        self.old, self.new = PAIRS["△ lines, every other edited"]
        self.big = create_scene(episode=self.episode, user=self.alice, text=self.old)
        store.get_or_create(episode=self.episode)
        self.big.refresh_from_db()

    def test_the_save_and_the_version_page_finish(self) -> None:
        self.login(self.bob)
        with cpu_limit(3 * HANG_GUARD):
            response = self.client.post(
                reverse("scene_save", args=[self.project.slug, self.big.pk]),
                {"text": self.new, "revision": str(self.big.revision)},
            )
        self.assertEqual(response.status_code, 200, response.content[:200])
        self.big.refresh_from_db()
        self.assertEqual(self.big.text, self.new)
        first = SceneVersion.objects.filter(scene=self.big).order_by("created_at", "id").first()
        self.login(self.charlie)  # a viewer may open it too
        with cpu_limit(3 * HANG_GUARD):
            response = self.client.get(
                reverse("scene_version", args=[self.project.slug, self.big.pk, first.pk])
            )
        self.assertContains(response, "△x")

    def test_the_row_sync_after_live_typing_finishes(self) -> None:
        text = documents.episode_text_now(episode=self.episode).replace(self.old, self.new)
        with cpu_limit(3 * HANG_GUARD):
            documents.sync_rows(episode_id=self.episode.pk, text=text, seq=None, user=self.bob)
        self.big.refresh_from_db()
        self.assertEqual(self.big.text, self.new)
