"""A series ready for AI tests: a member of each role, a bible, three episodes, beats and a scene."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from scripts_app.models import Beat, Character, Location, Membership, Project, Role, Scene
from scripts_app.services.episodes import add_beat, create_episode
from scripts_app.services.projects import create_project
from scripts_app.services.scenes import create_scene

SCENE = (
    "2-1 夜 内 林家客厅\n人物：林晚、顾承泽\n△林晚推门进来。\n林晚：你来了。\n顾承泽：（冷笑）我来收账。\n"
)


@dataclass
class Room:
    project: Project
    showrunner: object
    writer: object
    viewer: object
    outsider: object
    scene: Scene

    @property
    def episode(self):
        return self.scene.episode


def make_room(slug: str = "rebirth") -> Room:
    users = get_user_model().objects  # no passwords: tests log in with force_login, hashing is slow
    showrunner = users.create_user(f"{slug}-sr")
    writer = users.create_user(f"{slug}-writer")
    viewer = users.create_user(f"{slug}-viewer")
    outsider = users.create_user(f"{slug}-outsider")
    project = create_project(
        user=showrunner,
        title="重生之我是千金",
        slug=slug,
        script_format="zh",
        logline="被未婚夫推下大桥的千金重生回订婚宴当天，当众退婚并夺回家族。",
        genre="重生 复仇",
        audience="女频",
        style_guide="短句，强冲突，每集结尾留钩子。",
        target_episode_count=12,
        paywall_episodes=[8],
    )
    Membership.objects.create(project=project, user=writer, role=Role.WRITER)
    Membership.objects.create(project=project, user=viewer, role=Role.VIEWER)
    Character.objects.create(project=project, name="林晚", age="24", look="黑长直发，白衬衫配银镯")
    Character.objects.create(project=project, name="顾承泽", age="29", look="深灰西装，金丝眼镜")
    Character.objects.create(project=project, name="路人甲", look="戴鸭舌帽")
    Location.objects.create(project=project, name="林家客厅", int_ext="内", look="红木家具")
    create_episode(
        project=project, number=1, title="重生", summary="林晚坠江后重生。", cliffhanger="她当众退婚。"
    )
    episode = create_episode(
        project=project, number=2, title="收账", summary="顾承泽上门。", hook="雨夜敲门声。"
    )
    create_episode(project=project, number=3, title="反击")
    scene = create_scene(episode=episode, user=showrunner, text=SCENE)
    add_beat(episode=episode, user=writer, text="顾承泽上门逼债", status=Beat.Status.ACCEPTED)
    add_beat(episode=episode, user=writer, text="林晚亮出录音", status=Beat.Status.ACCEPTED)
    add_beat(episode=episode, user=writer, text="还没想好", status=Beat.Status.PROPOSED)
    return Room(project, showrunner, writer, viewer, outsider, scene)


@pytest.fixture(name="room")
def room_fixture(db) -> Room:
    return make_room()
