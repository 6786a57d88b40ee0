"""python manage.py seed_demo: a demo Chinese micro-drama series and a demo user of each role.

Seeds only an empty database (no user at all): on any other it changes nothing, so it never
creates a known login next to real ones and never resets a password someone has changed. `make run`
calls it on every start; the demo logins exist from the first start on (README).
"""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from scripts_app.ai import samples
from scripts_app.models import Membership, Project, Role
from scripts_app.services import bible, episodes, imports
from scripts_app.services.projects import create_project

DEMO_SLUG = "rebirth-demo"
DEMO_USERS = [("showrunner", Role.SHOWRUNNER), ("writer", Role.WRITER), ("viewer", Role.VIEWER)]
DEMO_PASSWORD = "writersroom"
SCRIPT = Path(__file__).resolve().parents[2] / "demo" / "rebirth.txt"

CHARACTERS = [
    dict(name="林晚", age="24", identity="林氏集团千金，重生归来", look="黑长直发，白色衬衫配银镯（前世顾承泽所送）",
         personality="隐忍、果断", goal="揭穿顾承泽，护住林家", secret="带着前世记忆"),
    dict(name="顾承泽", age="29", identity="顾氏集团总裁，林晚的未婚夫", look="深灰西装，金丝眼镜",
         personality="温文外表下狠辣", goal="吞并林氏", secret="挪用城南项目资金"),
    dict(name="小桃", age="19", identity="林晚的贴身助理", look="齐刘海，米色针织衫", personality="忠心、冒失"),
    dict(name="苏柔", age="25", identity="顾承泽的情人", look="红色长裙，波浪卷发", personality="娇媚、算计"),
    dict(name="林父", age="55", identity="林氏集团董事长", look="中山装，拄拐"),
]  # fmt: skip
LOCATIONS = [
    dict(name="林家客厅", int_ext="内", look="中式红木家具，落地窗", props="全家福、青花茶具"),
    dict(name="江城大桥", int_ext="外", look="夜雨中的斜拉桥，路灯昏黄", props="银镯"),
]
BEATS = {
    1: ["前世坠江：林晚被顾承泽推下大桥", "重生回到订婚宴当天", "当众退婚，满堂哗然"],
    2: ["董事会上揭穿城南项目", "闪回：小桃前世为林晚而死", "顾承泽与苏柔密谋灭口"],
    3: ["林晚拿到转账证据", "天台对峙，手机录音反转"],
}
EPISODE_PLAN = {
    1: dict(hook="暴雨夜，婚纱新娘被推下大桥。", cliffhanger="林晚当众退婚，林父茶杯落地。", summary="林晚重生回到订婚宴当天。"),
    2: dict(hook="林晚闯进董事会，一句话让顾承泽变脸。", cliffhanger="顾承泽：那就让她永远闭嘴。"),
    3: dict(hook="一叠转账复印件拍在桌上。", cliffhanger="天台上，顾承泽伸手——手机正在录音。", status="revised"),
}  # fmt: skip


class Command(BaseCommand):
    help = "Create the demo series and demo users (showrunner, writer, viewer)."

    @transaction.atomic
    def handle(self, *args, **options):
        if get_user_model().objects.exists():
            self.stdout.write("The database has users already: the demo is only seeded into an empty one.")
            return
        users = {}
        for username, _role in DEMO_USERS:
            users[username] = get_user_model().objects.create_user(
                username, f"{username}@demo.local", DEMO_PASSWORD
            )
        project = Project.objects.filter(slug=DEMO_SLUG).first()
        if project is None:
            project = self._create_series(users["showrunner"])
        for username, role in DEMO_USERS:
            Membership.objects.update_or_create(
                project=project, user=users[username], defaults={"role": role}
            )
        # Recorded AI proposals, labelled as sample data, so the review flow works without a model.
        if samples.add_samples(project=project, user=users["showrunner"]):
            self.stdout.write("  added sample AI suggestions (recorded, labelled as sample data)")
        self.stdout.write(f"Demo series: {project.title} (/p/{project.slug}/)")
        for username, role in DEMO_USERS:
            self.stdout.write(f"  login {username} / {DEMO_PASSWORD}  ({role.label})")

    def _create_series(self, owner) -> Project:
        project = create_project(
            user=owner, title="重生之千金归来", slug=DEMO_SLUG, language="zh", script_format="zh",
            logline="被未婚夫推下大桥的千金重生回到订婚宴，步步反杀。", genre="重生 复仇",
            audience="女频 18-35", synopsis="林晚前世被顾承泽夺走家业、推下大桥。重生后她当众退婚，"
            "借前世记忆揭穿顾承泽挪用资金的阴谋，护住家人，最终让他身败名裂。",
            style_guide="每集开头三秒内给钩子；每 45 秒一个爽点；台词短、狠、口语化。林晚的银镯是贯穿道具。",
            target_episode_count=80, target_episode_seconds=90, paywall_episodes=[10, 25],
        )  # fmt: skip
        for data in CHARACTERS:
            bible.save_character(project=project, **data)
        for data in LOCATIONS:
            bible.save_location(project=project, **data)
        doc, _fmt = imports.read_document(data=SCRIPT.read_bytes(), filename=SCRIPT.name, fmt="zh")
        imports.import_document(project=project, doc=doc, user=owner)
        for number, plan in EPISODE_PLAN.items():
            episode = project.episodes.get(number=number)
            episodes.update_episode(episode=episode, **plan)
            for text in BEATS[number]:
                episodes.add_beat(episode=episode, user=owner, text=text)
        for number in (4, 5):
            episodes.create_episode(
                project=project, number=number, status="outline", title=f"第{number}集（待写）"
            )
        return project
