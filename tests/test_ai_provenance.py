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
from .fake_openai import fake_llm_fixture  # noqa: F401

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


# ---- The review copy: marks found by position, end to end into the PDF ---------------------------

FOUNTAIN_SCENE = "INT. DINER - NIGHT\n\nRain hammers the windows.\n\nMAYA\nYou came back.\n\n" + (
    "JACK\nJack always comes back.\n"
)
FOUNTAIN_AI = (
    "Thunder. The door bangs open.\nA stranger shakes the water off his coat.\n\n"
    "MAYA\n(quietly)\nSit down, Jack.\nBefore they see you.\n\n"
)


def fountain_room(slug: str = "diner"):
    from django.contrib.auth import get_user_model

    from scripts_app.models import Membership, Role
    from scripts_app.services.episodes import create_episode
    from scripts_app.services.projects import create_project
    from scripts_app.services.scenes import create_scene

    showrunner = get_user_model().objects.create_user(f"{slug}-sr")
    writer = get_user_model().objects.create_user(f"{slug}-writer")
    project = create_project(user=showrunner, title="Night Shift", slug=slug, script_format="fountain")
    Membership.objects.create(project=project, user=writer, role=Role.WRITER)
    episode = create_episode(project=project, number=1, title="Storm")
    scene = create_scene(episode=episode, user=showrunner, text=FOUNTAIN_SCENE)
    store.get_or_create(episode=episode)
    return project, episode, scene, writer


def marks_by_text(project, number: int = 1) -> list[tuple[str, str]]:
    from scripts_app.services.shooting_script import PrintRequest, printed_episodes

    printed = next(
        p
        for p in printed_episodes(project=project, request=PrintRequest(provenance=True))
        if p.episode.number == number
    )
    return [(el.text, m.provenance) for el, m in zip(printed.elements, printed.meta, strict=True)]


def test_the_review_copy_marks_a_model_s_multi_line_fountain_action_and_dialogue(db) -> None:
    project, episode, scene, writer = fountain_room()
    proposal = FOUNTAIN_SCENE.replace("JACK\n", FOUNTAIN_AI + "JACK\n")
    suggestion = Suggestion.objects.create(
        project=project,
        kind="rewrite",
        episode=episode,
        scene=scene,
        base_text=FOUNTAIN_SCENE,
        text=proposal,
        status="pending",
        requested_by=writer,
    )
    review.accept_hunks(suggestion=suggestion, user=writer)
    assert marks_by_text(project) == [
        ("INT. DINER - NIGHT", ""),
        ("Rain hammers the windows.", ""),
        ("MAYA", ""),
        ("You came back.", ""),
        ("Thunder. The door bangs open.\nA stranger shakes the water off his coat.", "ai"),
        ("MAYA", "ai"),
        ("quietly", "ai"),
        ("Sit down, Jack.\nBefore they see you.", "ai"),
        ("JACK", ""),  # a person's, after a model's lines that name him
        ("Jack always comes back.", ""),
    ]
    # A person's word inside the model's paragraph makes just that element AI-edited.
    documents.change_text(
        episode=episode, change=lambda old: old.replace("shakes the", "slowly shakes the"), user=writer
    )
    marks = dict(marks_by_text(project)[4:5])
    assert marks == {
        "Thunder. The door bangs open.\nA stranger slowly shakes the water off his coat.": "ai_edited"
    }


def test_a_person_s_dialogue_after_a_model_s_action_naming_the_same_character_is_not_marked(room) -> None:
    ai_action = "△林晚浑身湿透地冲进来，看向顾承泽。"
    proposal = SCENE.replace("林晚：你来了。\n", ai_action + "\n林晚：你来了。\n")
    review.accept_hunks(suggestion=live_rewrite(room, proposal), user=room.writer)
    origins = dict(provenance.line_origins(episode=room.episode))
    assert (
        origins[ai_action] == "ai"
        and origins["林晚：你来了。"] == origins["顾承泽：（冷笑）我来收账。"] == "human"
    )
    marked = [(text, mark) for text, mark in marks_by_text(room.project, 2) if mark]
    assert marked == [("林晚浑身湿透地冲进来，看向顾承泽。", "ai")]


def test_an_element_the_text_no_longer_has_is_unmarked_and_the_rest_still_line_up(room) -> None:
    proposal = SCENE + "△顾承泽摘下眼镜，慢慢擦拭。\n林晚：你走吧。\n"
    review.accept_hunks(suggestion=live_rewrite(room, proposal), user=room.writer)
    elements = [
        Element(Kind.ACTION, "林晚推门进来。"),
        Element(Kind.ACTION, "这一行只在已发布的旧稿里。"),  # an issued copy's line, since rewritten
        Element(Kind.CHARACTER, "林晚"),
        Element(Kind.DIALOGUE, "你来了。"),
        Element(Kind.ACTION, "顾承泽摘下眼镜，慢慢擦拭。"),
        Element(Kind.CHARACTER, "林晚"),
        Element(Kind.DIALOGUE, "你走吧。"),
    ]
    meta = provenance.mark_elements(episode=room.episode, elements=elements, meta=[ElementMeta()] * 7)
    assert [m.provenance for m in meta] == ["", "", "", "", "ai", "ai", "ai"]


def margin_marks_and_lines(data: bytes) -> tuple[list[tuple[str, str]], list[str]]:
    """A PDF read back: each left-margin mark with the printed line beside it, and every line."""
    import io

    import pdfplumber

    marks, lines = [], []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            words = page.extract_words()
            rows: dict[float, list[dict]] = {}
            for w in words:
                if w["x0"] / 72 >= 0.7:
                    rows.setdefault(round(w["bottom"]), []).append(w)
            text = {
                bottom: " ".join(w["text"] for w in sorted(ws, key=lambda w: w["x0"]))
                for bottom, ws in rows.items()
            }
            lines += [text[b] for b in sorted(text)]
            for w in words:
                if w["x0"] / 72 < 0.7:  # the margin: the line beside it shares (about) its baseline
                    nearest = min(text, key=lambda b: abs(b - w["bottom"]))
                    assert abs(nearest - w["bottom"]) < 4, (w, text)
                    marks.append((w["text"], text[nearest]))
    return marks, lines


def test_a_review_copy_pdf_of_accepted_model_text_carries_the_marks_beside_the_model_s_lines(
    db, fake_llm
) -> None:
    """End to end: the model proposes (the fake OpenAI-wire server), a writer accepts through the review
    service, the PDF export with "Mark AI and AI-edited lines" prints AI beside exactly those lines."""
    from scripts_app.ai import generate
    from scripts_app.render.pdf import missing_fonts
    from scripts_app.services.exports import export_file
    from scripts_app.services.shooting_script import PrintRequest

    if missing_fonts(("Courier Prime",)):
        pytest.skip("fonts-courier-prime not installed")
    project, episode, scene, writer = fountain_room("diner-pdf")
    fake_llm.script(FOUNTAIN_SCENE.replace("JACK\n", FOUNTAIN_AI + "JACK\n"))
    suggestion = generate.request_rewrite(
        scene=scene, user=writer, instruction="Add a stranger.", queue=False
    )
    generate.run_suggestion(suggestion_id=suggestion.pk)
    suggestion.refresh_from_db()
    assert suggestion.status == "pending", suggestion.error
    review.accept_hunks(suggestion=suggestion, user=writer)

    exported = export_file(
        project=project, fmt="pdf", request=PrintRequest(provenance=True, title_page=False)
    )
    marks, lines = margin_marks_and_lines(exported.data)
    assert {mark for mark, _line in marks} == {"AI"}, marks
    assert [line for _mark, line in marks] == [
        "Thunder. The door bangs open.",
        "A stranger shakes the water off his coat.",
        "MAYA",
        "(quietly)",
        "Sit down, Jack.",
        "Before they see you.",
    ]
    for human in ("Rain hammers the windows.", "You came back.", "JACK", "Jack always comes back."):
        assert human in lines

    plain = export_file(project=project, fmt="pdf", request=PrintRequest(title_page=False))
    assert margin_marks_and_lines(plain.data)[0] == []
