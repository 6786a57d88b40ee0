"""Review of AI proposals: hunks rebased or refused, items accepted, edited or rejected one by one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scripts_app.ai import hunks, review, schemas
from scripts_app.collab import documents, store
from scripts_app.models import Beat, Character, DocumentUpdate, Episode, Scene, SceneVersion, Suggestion
from scripts_app.services.episodes import update_beat

from .ai_room import SCENE, room_fixture  # noqa: F401

BASE = "a\nb\nc\nd\ne\n"


# ---- Hunks (pure) --------------------------------------------------------------------------------


def test_all_hunks_applied_to_their_own_base_give_the_proposal() -> None:
    proposed = "a\nB\nc\nd\nE\nf\n"
    found = hunks.diff(BASE, proposed)
    assert [(h.removed, h.added) for h in found] == [("b\n", "B\n"), ("e\n", "E\nf\n")]
    assert hunks.apply(base=BASE, current=BASE, hunks=found, accept={0, 1}) == proposed
    assert hunks.apply(base=BASE, current=BASE, hunks=found, accept={1}) == "a\nb\nc\nd\nE\nf\n"


def test_an_accepted_hunk_is_carried_over_a_colleague_s_edit_elsewhere() -> None:
    found = hunks.diff(BASE, "a\nb\nc\nd\nE\n")
    current = "zero\na\nb!\nc\nd\ne\n"  # a line added on top, line b changed
    assert hunks.apply(base=BASE, current=current, hunks=found, accept={0}) == "zero\na\nb!\nc\nd\nE\n"


def test_a_hunk_whose_lines_a_colleague_changed_conflicts() -> None:
    found = hunks.diff(BASE, "a\nB\nc\nd\ne\n")
    with pytest.raises(hunks.Conflict) as caught:
        hunks.apply(base=BASE, current="a\nb, changed\nc\nd\ne\n", hunks=found, accept={0})
    assert caught.value.hunks == [0]
    assert hunks.conflicting(base=BASE, current="a\nb, changed\nc\nd\ne\n", hunks=found) == [0]


def test_two_insertions_at_the_same_place_conflict_but_next_to_a_change_do_not() -> None:
    found = hunks.diff(BASE, "a\nb\nnew\nc\nd\ne\n")
    with pytest.raises(hunks.Conflict):
        hunks.apply(base=BASE, current="a\nb\ntheirs\nc\nd\ne\n", hunks=found, accept={0})
    assert (
        hunks.apply(base=BASE, current="a\nB\nc\nd\ne\n", hunks=found, accept={0}) == "a\nB\nnew\nc\nd\ne\n"
    )


lines = st.lists(st.sampled_from(["林晚：走。\n", "△门开了。\n", "x\n", "\n", "y"]), max_size=8)


@given(lines, lines)
def test_accepting_every_hunk_of_a_proposal_gives_the_proposal(base: list[str], proposed: list[str]) -> None:
    base_text, proposed_text = "".join(base), "".join(proposed)
    found = hunks.diff(base_text, proposed_text)
    result = hunks.apply(base=base_text, current=base_text, hunks=found, accept={h.index for h in found})
    assert result == proposed_text


# ---- Text proposals ------------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def text_proposal(
    room, text: str, *, kind: str = "rewrite", scene: Scene | None = None, **fields
) -> Suggestion:
    scene = scene or room.scene
    return Suggestion.objects.create(
        project=room.project,
        kind=kind,
        episode=room.episode,
        scene=scene,
        base_text=scene.text,
        text=text,
        status="pending",
        requested_by=room.writer,
        model="fake-model",
        **fields,
    )


def scene_text(room) -> str:
    return Scene.objects.get(pk=room.scene.pk).text


def test_accepting_a_rewrite_writes_the_scene_through_the_one_door(room) -> None:
    proposal = SCENE.replace("林晚：你来了。", "林晚：你终于来了。")
    suggestion = review.accept_hunks(suggestion=text_proposal(room, proposal), user=room.writer)
    assert suggestion.status == "accepted" and suggestion.decided_by == room.writer
    assert scene_text(room) == proposal
    version = SceneVersion.objects.filter(scene=room.scene).first()
    assert version.display_note == f"AI proposal #{suggestion.pk}" and version.author == room.writer


def test_one_hunk_accepted_and_one_rejected_leaves_the_proposal_partly_accepted(room) -> None:
    proposal = SCENE.replace("推门进来", "踹门进来").replace("我来收账。", "我来要你的命。")
    suggestion = text_proposal(room, proposal)
    assert len(review.text_hunks(suggestion=suggestion)) == 2
    suggestion = review.accept_hunks(suggestion=suggestion, user=room.writer, indexes=[1])
    assert suggestion.status == "partly_accepted"
    assert suggestion.content["hunks"] == {"1": "accepted", "0": "rejected"}
    assert "我来要你的命。" in scene_text(room) and "推门进来" in scene_text(room)


def test_hunks_can_be_decided_one_at_a_time(room) -> None:
    proposal = SCENE.replace("推门进来", "踹门进来").replace("我来收账。", "我来要你的命。")
    suggestion = text_proposal(room, proposal)
    suggestion = review.accept_hunks(suggestion=suggestion, user=room.writer, indexes=[0], finish=False)
    assert suggestion.status == "pending"
    suggestion = review.accept_hunks(suggestion=suggestion, user=room.showrunner, indexes=[1], finish=False)
    assert suggestion.status == "accepted" and scene_text(room) == proposal


def test_a_colleague_s_edit_elsewhere_survives_and_the_hunk_is_rebased_onto_it(room) -> None:
    suggestion = text_proposal(room, SCENE.replace("我来收账。", "我来要你的命。"))
    documents.replace_scene_text(
        scene=room.scene, text=SCENE.replace("△林晚推门进来。", "△林晚踢门进来。"), user=room.showrunner
    )
    detail = review.detail(suggestion=suggestion)
    assert detail["changed_since"] and not detail["hunks"][0]["conflict"]
    review.accept_hunks(suggestion=suggestion, user=room.writer)
    assert scene_text(room) == SCENE.replace("△林晚推门进来。", "△林晚踢门进来。").replace(
        "我来收账。", "我来要你的命。"
    )


def test_a_colleague_s_edit_of_the_same_line_makes_the_proposal_stale_and_writes_nothing(room) -> None:
    suggestion = text_proposal(room, SCENE.replace("我来收账。", "我来要你的命。"))
    theirs = SCENE.replace("我来收账。", "我来收利息。")
    documents.replace_scene_text(scene=room.scene, text=theirs, user=room.showrunner)
    assert review.detail(suggestion=suggestion)["hunks"][0]["conflict"]
    suggestion = review.accept_hunks(suggestion=suggestion, user=room.writer)
    assert suggestion.status == "stale" and "changed since" in suggestion.error
    assert scene_text(room) == theirs


def test_a_draft_accepted_into_a_live_episode_arrives_as_an_update_of_its_document(room) -> None:
    document = store.get_or_create(episode=room.episode)
    before = DocumentUpdate.objects.filter(document=document).count()
    base = documents.episode_text_now(episode=room.episode)
    suggestion = Suggestion.objects.create(
        project=room.project,
        kind="draft",
        episode=room.episode,
        base_text=base,
        status="pending",
        text=base + "\n2-2 夜 外 江城大桥\n△林晚按下播放键。\n",
        request={"scope": "new_scene"},
    )
    review.accept_hunks(suggestion=suggestion, user=room.writer)
    assert DocumentUpdate.objects.filter(document=document).count() == before + 1
    assert [s.heading for s in room.episode.scenes.order_by("position")][-1].startswith("2-2")
    assert "△林晚按下播放键。" in documents.episode_text_now(episode=room.episode)


def test_a_proposal_already_decided_is_not_decided_again(room) -> None:
    suggestion = review.reject(suggestion=text_proposal(room, SCENE + "△多一行。\n"), user=room.writer)
    assert suggestion.status == "rejected"
    with pytest.raises(review.ReviewError):
        review.accept_hunks(suggestion=suggestion, user=room.writer)
    assert scene_text(room) == SCENE


# ---- Structured proposals ------------------------------------------------------------------------


def bible_proposal(room) -> Suggestion:
    proposal = schemas.BibleProposal.model_validate(
        {
            "synopsis": "林晚步步反击。",
            "style_guide": "",
            "characters": [
                {"name": "苏柔", "look": "红裙"},
                {"name": "林晚", "age": "25", "look": "换了发型"},
            ],
            "locations": [{"name": "江城大桥", "int_ext": "外"}],
        }
    )
    items = review.bible_items(project=room.project, proposal=proposal)
    return Suggestion.objects.create(
        project=room.project, kind="bible", status="pending", content={"items": items}
    )


def test_bible_items_are_accepted_edited_and_rejected_one_by_one(room) -> None:
    suggestion = bible_proposal(room)
    kinds = [(i["kind"], i["base"] is not None) for i in suggestion.content["items"]]
    assert kinds == [("synopsis", True), ("character", False), ("character", True), ("location", False)]
    review.decide_item(suggestion=suggestion, user=room.writer, index=0, accept=True, value="林晚一路反击。")
    review.decide_item(suggestion=suggestion, user=room.writer, index=1, accept=True)
    review.decide_item(suggestion=suggestion, user=room.writer, index=2, accept=False)
    suggestion = review.decide_item(suggestion=suggestion, user=room.writer, index=3, accept=True)
    room.project.refresh_from_db()
    assert room.project.synopsis == "林晚一路反击。"
    assert Character.objects.get(project=room.project, name="苏柔").look == "红裙"
    assert Character.objects.get(project=room.project, name="林晚").look == "黑长直发，白衬衫配银镯"
    assert room.project.locations.filter(name="江城大桥").exists()
    assert suggestion.status == "partly_accepted"
    assert [i["decision"] for i in suggestion.content["items"]] == [
        "edited",
        "accepted",
        "rejected",
        "accepted",
    ]


def test_a_bible_entry_a_colleague_changed_meanwhile_is_stale_not_overwritten(room) -> None:
    suggestion = bible_proposal(room)
    Character.objects.filter(project=room.project, name="林晚").update(look="短发")
    suggestion = review.decide_item(suggestion=suggestion, user=room.writer, index=2, accept=True)
    assert suggestion.content["items"][2]["decision"] == "stale"
    assert Character.objects.get(project=room.project, name="林晚").look == "短发"


def test_an_accepted_episode_item_makes_the_episode_with_its_paywall(room) -> None:
    episodes = [
        schemas.EpisodeItem(number=4, title="真相", summary="s", hook="h", cliffhanger="c", paywall=True),
        schemas.EpisodeItem(number=1, title="新标题"),
    ]
    items = review.episode_items(project=room.project, episodes=episodes)
    suggestion = Suggestion.objects.create(
        project=room.project, kind="episodes", status="pending", content={"items": items}
    )
    assert [i["value"]["number"] for i in items] == [1, 4] and items[0]["base"]["title"] == "重生"
    review.decide_item(suggestion=suggestion, user=room.writer, index=1, accept=True)
    review.decide_item(suggestion=suggestion, user=room.writer, index=0, accept=False)
    episode = Episode.objects.get(project=room.project, number=4)
    assert (episode.title, episode.hook, episode.is_paywall) == ("真相", "h", True)
    assert Episode.objects.get(project=room.project, number=1).title == "重生"


def beats_proposal(room, n: int) -> Suggestion:
    rows = [
        Beat.objects.create(
            episode=room.episode, position=10 + i, text=f"AI 节拍 {i}", status="proposed", origin="ai"
        )
        for i in range(n)
    ]
    items = [{"kind": "beat", "beat": b.pk, "value": b.text, "decision": None} for b in rows]
    return Suggestion.objects.create(
        project=room.project, kind="beats", episode=room.episode, status="pending", content={"items": items}
    )


def test_two_of_five_proposed_beats_are_accepted_and_the_rest_rejected(room) -> None:
    suggestion = beats_proposal(room, 5)
    review.decide_item(suggestion=suggestion, user=room.writer, index=1, accept=True)
    review.decide_item(suggestion=suggestion, user=room.writer, index=3, accept=True, value="AI 节拍 3，改过")
    suggestion = review.reject(suggestion=suggestion, user=room.writer)
    ai = list(room.episode.beats.filter(origin="ai").order_by("position").values_list("text", "status"))
    assert ai == [
        ("AI 节拍 0", "rejected"),
        ("AI 节拍 1", "accepted"),
        ("AI 节拍 2", "rejected"),
        ("AI 节拍 3，改过", "accepted"),
        ("AI 节拍 4", "rejected"),
    ]
    assert suggestion.status == "partly_accepted"


def test_beats_decided_on_the_beat_list_count_as_decisions_on_their_proposal(room) -> None:
    suggestion = beats_proposal(room, 2)
    for beat in room.episode.beats.filter(origin="ai"):
        update_beat(beat=beat, status="accepted")
    review.sync_beats(suggestion=suggestion)
    suggestion.refresh_from_db()
    assert suggestion.status == "accepted"


def test_choosing_one_alternative_hook_sets_it_and_declines_the_others(room) -> None:
    items = [{"kind": "option", "value": v, "decision": None} for v in ("一", "二", "三")]
    suggestion = Suggestion.objects.create(
        project=room.project,
        kind="alternatives",
        episode=room.episode,
        status="pending",
        base_text=room.episode.hook,
        request={"target": "hook"},
        content={"items": items},
    )
    suggestion = review.decide_item(suggestion=suggestion, user=room.writer, index=1, accept=True)
    assert Episode.objects.get(pk=room.episode.pk).hook == "二"
    assert [i["decision"] for i in suggestion.content["items"]] == ["rejected", "accepted", "rejected"]
    assert suggestion.status == "partly_accepted"


def test_choosing_an_alternative_line_changes_that_line_only(room) -> None:
    start = SCENE.index("我来收账。")
    items = [
        {"kind": "option", "value": v, "decision": None} for v in ("我来讨债。", "我来收命。", "我来了。")
    ]
    suggestion = Suggestion.objects.create(
        project=room.project,
        kind="alternatives",
        episode=room.episode,
        scene=room.scene,
        status="pending",
        base_text=SCENE,
        request={"target": "line", "selection": [start, start + 5]},
        content={"items": items},
    )
    review.decide_item(suggestion=suggestion, user=room.writer, index=1, accept=True)
    assert scene_text(room) == SCENE.replace("我来收账。", "我来收命。")


def test_alternatives_for_a_line_say_where_that_line_is_now_and_how_each_option_reads(room) -> None:
    line = "顾承泽：（冷笑）我来收账。\n"
    start = SCENE.index(line)
    items = [{"kind": "option", "value": v, "decision": None} for v in ("顾承泽：滚。", "顾承泽：还钱。\n")]
    suggestion = Suggestion.objects.create(
        project=room.project,
        kind="alternatives",
        episode=room.episode,
        scene=room.scene,
        status="pending",
        base_text=SCENE,
        # The whole line selected, its line end too: an option replaces the line, not the line end.
        request={"target": "line", "selection": [start, start + len(line)]},
        content={"items": items},
    )
    choice = review.detail(suggestion=suggestion)["line"]
    assert choice == {
        "removed": line,
        "at": (start, start + len(line)),
        "options": ["顾承泽：滚。\n", "顾承泽：还钱。\n"],
    }
    # A colleague adds a line above it: the line is found where it is now.
    documents.replace_scene_text(
        scene=room.scene, text=SCENE.replace("△", "△门被撞开。\n△", 1), user=room.writer
    )
    moved = review.detail(suggestion=suggestion)["line"]["at"]
    assert moved == (start + len("△门被撞开。\n"), start + len("△门被撞开。\n") + len(line))
    review.decide_item(suggestion=suggestion, user=room.writer, index=0, accept=True)
    assert scene_text(room) == SCENE.replace("△", "△门被撞开。\n△", 1).replace(line, "顾承泽：滚。\n")
    assert review.detail(suggestion=Suggestion.objects.get(pk=suggestion.pk))["line"]["at"] is None
