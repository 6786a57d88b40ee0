"""Provenance: accepted AI text carries its suggestion as Yjs text attributes, through concurrent edits;
a person's edit inside it is "AI-edited"; shares per episode and series; the review copy's marks."""

from __future__ import annotations

import pycrdt
import pytest

from scripts_app.ai import provenance, review
from scripts_app.collab import documents, store
from scripts_app.formats.elements import Element, Kind
from scripts_app.layout import ElementMeta
from scripts_app.models import EpisodeDocument, Suggestion

from .ai_room import SCENE, room_fixture  # noqa: F401

pytestmark = pytest.mark.django_db

AI_LINE = "顾承泽：（冷笑）我来要你的命。"


def live_rewrite(room, proposal: str) -> Suggestion:
    store.get_or_create(episode=room.episode)  # the episode is live: its text is a Yjs document
    return Suggestion.objects.create(
        project=room.project,
        kind="rewrite",
        episode=room.episode,
        scene=room.scene,
        base_text=room.scene.text,
        text=proposal,
        status="pending",
        requested_by=room.writer,
    )


def stored_doc(room) -> pycrdt.Doc:
    return store.load(document=EpisodeDocument.objects.get(episode=room.episode)).doc


def attrs_of(doc: pycrdt.Doc, needle: str) -> list[dict]:
    """The attributes of every run overlapping the first occurrence of `needle`."""
    text = doc.get(store.TEXT, type=pycrdt.Text)
    whole = str(text)
    start = whole.index(needle)
    end = start + len(needle)
    out, pos = [], 0
    for chunk, attrs in text.diff():
        if pos < end and start < pos + len(chunk):
            out.append({k: v for k, v in (attrs or {}).items() if v is not None})
        pos += len(chunk)
    return out


def client_update(doc: pycrdt.Doc, edit) -> bytes:
    """An editor's change made on its own copy of `doc`, as the update it would send."""
    copy = pycrdt.Doc()
    copy.apply_update(doc.get_update())
    text = copy.get(store.TEXT, type=pycrdt.Text)
    before = copy.get_state()
    with copy.transaction():
        edit(text, str(text))
    return copy.get_update(before)


def test_accepted_text_carries_its_suggestion_and_the_rest_stays_a_person_s(room) -> None:
    suggestion = live_rewrite(room, SCENE.replace("顾承泽：（冷笑）我来收账。", AI_LINE))
    review.accept_hunks(suggestion=suggestion, user=room.writer)
    doc = stored_doc(room)
    # Only the characters that changed are the model's: the line's unchanged start stays a person's.
    assert attrs_of(doc, "要你的命") == [{"ai": str(suggestion.pk)}]
    assert attrs_of(doc, "△林晚推门进来。") == [{}]
    origins = dict(provenance.line_origins(episode=room.episode))
    assert origins[AI_LINE] == "ai_edited"  # a person's start, a model's end
    assert origins["△林晚推门进来。"] == "human"


def test_a_whole_new_line_from_a_model_is_ai_and_counts_in_the_shares(room) -> None:
    proposal = SCENE + "△顾承泽摘下眼镜，慢慢擦拭。\n"
    suggestion = live_rewrite(room, proposal)
    review.accept_hunks(suggestion=suggestion, user=room.writer)
    origins = dict(provenance.line_origins(episode=room.episode))
    assert origins["△顾承泽摘下眼镜，慢慢擦拭。"] == "ai"
    shares = provenance.shares(episode=room.episode)
    assert shares.ai == len("△顾承泽摘下眼镜，慢慢擦拭。") and shares.ai_edited == 0
    assert shares.human == len("".join(SCENE.split()))  # whitespace is not counted
    total, per_episode = provenance.series_shares(project=room.project)
    assert total == shares and [e.number for e, _s in per_episode] == [2]


def test_a_person_s_change_inside_ai_text_is_ai_edited_and_at_its_edge_a_person_s(room) -> None:
    suggestion = live_rewrite(room, SCENE.replace("顾承泽：（冷笑）我来收账。", AI_LINE))
    review.accept_hunks(suggestion=suggestion, user=room.writer)
    now = documents.episode_text_now(episode=room.episode)
    documents.change_text(
        episode=room.episode,
        change=lambda old: old.replace("要你的命", "要你的小命").replace("推门进来。", "推门进来。哭"),
        user=room.showrunner,
    )
    assert now != documents.episode_text_now(episode=room.episode)
    doc = stored_doc(room)
    assert {"ai": str(suggestion.pk), "edited": 1.0} in attrs_of(doc, "小")
    assert attrs_of(doc, "哭") == [{}]
    assert provenance.shares(episode=room.episode).ai_edited == 1


def test_attributes_follow_their_text_through_an_editor_s_concurrent_edits(room) -> None:
    suggestion = live_rewrite(room, SCENE.replace("顾承泽：（冷笑）我来收账。", AI_LINE))
    document = EpisodeDocument.objects.get(episode=room.episode)
    before_accept = stored_doc(room)

    # An editor, not yet seeing the accepted text, types above it (as the browser sends it: a person's).
    def type_above(text, s):
        at = len(s[: s.index("林晚：你来了。")].encode())
        text.insert(at, "林晚：（后退）", provenance.PERSON_ATTRS)

    concurrent = client_update(before_accept, type_above)
    review.accept_hunks(suggestion=suggestion, user=room.writer)
    store.append(document_id=document.pk, data=concurrent, user_id=room.showrunner.pk)

    # Then an editor who sees it types inside the AI text: the browser marks that "edited".
    def edit_inside(text, s):
        at = len(s[: s.index("你的命")].encode())
        text.insert(at, "和", {"ai": str(suggestion.pk), "edited": 1})

    store.append(document_id=document.pk, data=client_update(stored_doc(room), edit_inside), user_id=None)
    doc = stored_doc(room)
    assert "林晚：（后退）林晚：你来了。" in str(doc.get(store.TEXT, type=pycrdt.Text))
    assert attrs_of(doc, "林晚：（后退）") == [{}]
    assert attrs_of(doc, "要") == [{"ai": str(suggestion.pk)}]
    assert attrs_of(doc, "和") == [{"ai": str(suggestion.pk), "edited": 1.0}]
    assert attrs_of(doc, "你的命") == [{"ai": str(suggestion.pk)}]
    shares = provenance.shares(episode=room.episode)
    assert (shares.ai, shares.ai_edited) == (len("要你的命"), 1)


def test_the_review_copy_marks_the_elements_read_from_ai_lines(room) -> None:
    proposal = SCENE + "△顾承泽摘下眼镜，慢慢擦拭。\n"
    review.accept_hunks(suggestion=live_rewrite(room, proposal), user=room.writer)
    elements = [
        Element(Kind.ACTION, "林晚推门进来。"),
        Element(Kind.ACTION, "顾承泽摘下眼镜，慢慢擦拭。"),
    ]
    meta = provenance.mark_elements(episode=room.episode, elements=elements, meta=[ElementMeta()] * 2)
    assert [m.provenance for m in meta] == ["", "ai"]


def test_a_review_copy_print_marks_ai_lines_and_a_plain_print_does_not(room) -> None:
    from scripts_app.services.shooting_script import PrintRequest, printed_episodes

    proposal = SCENE + "△顾承泽摘下眼镜，慢慢擦拭。\n"
    review.accept_hunks(suggestion=live_rewrite(room, proposal), user=room.writer)
    marked = printed_episodes(project=room.project, request=PrintRequest(provenance=True))
    episode = next(p for p in marked if p.episode.number == 2)
    ai = [el.text for el, m in zip(episode.elements, episode.meta, strict=True) if m.provenance == "ai"]
    assert ai and all("摘下眼镜" in text for text in ai)
    plain = printed_episodes(project=room.project, request=PrintRequest())
    assert not any(m.provenance for p in plain for m in p.meta)


def test_the_series_ai_page_and_the_episode_panel_show_the_shares(room, client) -> None:
    proposal = SCENE + "△顾承泽摘下眼镜，慢慢擦拭。\n"
    review.accept_hunks(suggestion=live_rewrite(room, proposal), user=room.writer)
    shares = provenance.shares(episode=room.episode)
    client.force_login(room.viewer)
    page = client.get(f"/p/{room.project.slug}/ai/").content.decode()
    assert f'<td data-share="ai">{shares.ai_percent}%</td>' in page and shares.ai_percent > 0
    panel = client.get(f"/p/{room.project.slug}/e/2/ai/panel/").content.decode()
    assert f'<b data-share="ai">{shares.ai_percent}%</b>' in panel
    assert 'id="ai-ask-rewrite"' not in panel  # a viewer watches, never asks
    client.force_login(room.outsider)
    assert client.get(f"/p/{room.project.slug}/e/2/ai/panel/").status_code in (403, 404)


def test_the_review_json_says_where_each_open_hunk_sits_in_the_episode_now(room, client) -> None:
    suggestion = live_rewrite(room, SCENE.replace("我来收账。", "我来要你的命。"))
    # A colleague adds a line above the scene's changed line: the hunk's place moves with it.
    documents.replace_scene_text(
        scene=room.scene,
        text=SCENE.replace("△林晚推门进来。", "△林晚推门进来。\n△雨声。"),
        user=room.showrunner,
    )
    client.force_login(room.writer)
    data = client.get(f"/p/{room.project.slug}/ai/s/{suggestion.pk}/json/").json()
    now = documents.episode_text_now(episode=room.episode)
    (hunk,) = data["hunks"]
    start, end = hunk["at"]
    assert now[start:end] == hunk["removed"] == "顾承泽：（冷笑）我来收账。\n"


def test_provenance_survives_folding_the_update_log_into_the_snapshot(room) -> None:
    suggestion = live_rewrite(room, SCENE + "△顾承泽摘下眼镜，慢慢擦拭。\n")
    review.accept_hunks(suggestion=suggestion, user=room.writer)
    before = provenance.line_origins(episode=room.episode)
    document = EpisodeDocument.objects.get(episode=room.episode)
    assert store.compact(document_id=document.pk) > 0
    assert provenance.line_origins(episode=room.episode) == before
    assert attrs_of(stored_doc(room), "摘下眼镜") == [{"ai": str(suggestion.pk)}]


def test_an_accepted_new_scene_draft_is_placed_at_the_end_of_the_episode_and_marked(room, client) -> None:
    store.get_or_create(episode=room.episode)
    base = documents.episode_text_now(episode=room.episode)
    added = "\n2-2 夜 外 江城大桥\n△林晚按下播放键。\n"
    suggestion = Suggestion.objects.create(
        project=room.project,
        kind="draft",
        episode=room.episode,
        base_text=base,
        text=base + added,
        status="pending",
        request={"scope": "new_scene"},
        requested_by=room.writer,
    )
    client.force_login(room.writer)
    (hunk,) = client.get(f"/p/{room.project.slug}/ai/s/{suggestion.pk}/json/").json()["hunks"]
    assert hunk["at"] == [len(base), len(base)] and hunk["added"] == added
    review.accept_hunks(suggestion=suggestion, user=room.writer)
    origins = dict(provenance.line_origins(episode=room.episode))
    assert origins["2-2 夜 外 江城大桥"] == origins["△林晚按下播放键。"] == "ai"
    assert origins["△林晚推门进来。"] == "human"
