"""A first-pass shot list per episode: the brief an AI video model (or a DP) starts from.

Pure Python. ``build_shots`` derives shots from the script with plain, predictable rules so a
room can see why each shot is there and edit it; it does not try to direct the episode.

Heuristics (documented because users will ask "why is this a close-up?"):
- Every scene heading gives one establishing 全景, 3 s, fixed (摇/pan for exteriors), with
  every character of the scene (人物 line and speakers) in the anchors.
- Every action paragraph gives one shot: 全景 when a crowd is mentioned (众人, 宾客, crowd…)
  or someone enters/leaves/runs; else 特写 when it shows an object insert (手机, 屏幕, 协议,
  照片, phone, screen, letter…); else 全景 when two or more of the scene's characters are
  named; else 中景.
  Characters in frame are the scene's characters named in the line; a line starting with a
  pronoun (他/她/He/She…) keeps the previous shot's people.
- Every speech (cue + parentheticals + dialogue) gives a 近景 on the speaker; 特写 when its
  parentheticals or the action line right before it mention tears, eyes, hands, lips,
  trembling… An answer to a different speaker is shot over the shoulder (过肩).
- Camera movement: 跟 for motion words (走, 跑, 冲, enters, runs), 推 for slow reveals and
  stares (缓缓, 凝视, stares), else 固定. Angle: 俯视 for looking down / kneeling / rooftops,
  仰视 for looking up / towers, else 平视.
- Durations from text length: dialogue ~4 Chinese characters or ~2.5 English words a
  second (+0.5 s for a parenthetical), action ~5 characters or ~3 words a second (at most
  10 s), rounded up to half seconds, never under 2 s.
- Sound: VO/画外音/旁白 -> voice-over (speaker not in frame); Chinese OS/内心/心声 -> inner
  monologue (speaker in frame, lips still); English O.S./OFF -> off-screen voice; 电话 ->
  phone voice. 【VO：…】 narration is a shot of its own. 【闪回】 marks every shot up to
  【闪回结束】 with "【闪回】" in the frame description and puts the flashback sting on the
  first; 【字幕：…】 is added to the next shot's frame (in the next scene if need be, a shot
  of its own at the episode's end); transitions go to the previous shot's sound. Notes,
  sections, synopses and page breaks give no shots.
- Numbering is "<scene>-<shot>" with two-digit shots: scene "1-1" -> "1-1-01"; a screenplay
  scene "12A" in episode 3 -> "3-12A-01"; a scene without a number uses its position.
- Anchors: "name：look" for each character in frame that has a bible anchor, and the
  location's anchor (exact name, else the longest bible location contained in the heading's).
Text is English when the episode is mostly Latin script, else Chinese; shot sizes, angles
and movements are always stored in Chinese and translated by ``to_csv(lang="en")``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .elements import Element, EpisodeText, HeadingParts, Kind, split_cast

SIZES = ("特写", "近景", "中景", "全景", "远景")
MOVEMENTS = ("固定", "推", "拉", "摇", "移", "跟")
ANGLES = ("平视", "俯视", "仰视", "过肩")

_EN_TERMS = {
    "特写": "Close-up",
    "近景": "Medium close-up",
    "中景": "Medium shot",
    "全景": "Full shot",
    "远景": "Long shot",
    "固定": "Static",
    "推": "Push in",
    "拉": "Pull out",
    "摇": "Pan",
    "移": "Track",
    "跟": "Follow",
    "平视": "Eye level",
    "俯视": "High angle",
    "仰视": "Low angle",
    "过肩": "Over the shoulder",
}
HEADERS = {
    "zh": (
        "镜号",
        "场次",
        "景别",
        "角度",
        "运镜",
        "时长(秒)",
        "画面内容",
        "台词",
        "音效",
        "人物锚点",
        "场景锚点",
    ),
    "en": (
        "Shot",
        "Scene",
        "Size",
        "Angle",
        "Movement",
        "Duration (s)",
        "In frame",
        "Dialogue",
        "Sound",
        "Character anchors",
        "Location anchor",
    ),
}


@dataclass
class Shot:
    number: str  # "1-1-01"
    scene: str  # "1-1"
    size: str  # 景别: 特写/近景/中景/全景/远景
    angle: str  # 平视/俯视/仰视/过肩
    movement: str  # 运镜: 固定/推/拉/摇/移/跟
    duration_s: float
    in_frame: str
    dialogue: str
    sound: str
    characters: list[str] = field(default_factory=list)
    location: str = ""
    character_anchors: str = ""
    location_anchor: str = ""


# ------------------------------------------------------------------- keyword lists


# Space-separated lists; "_" stands for a space inside an English phrase.
def _words(text: str) -> tuple[str, ...]:
    return tuple(w.replace("_", " ") for w in text.split())


_INSERT_WORDS = _words(
    "手机 屏幕 协议 合同 文件 照片 相片 戒指 怀表 手表 钥匙 信封 支票 短信 消息 报告 病历 "
    "phone screen letter contract photo photograph ring watch key envelope cheque check text_message"
)
_DETAIL_WORDS = _words(
    "泪 哭 眼 眸 手 指 拳 攥 握 唇 嘴角 咬牙 颤抖 发抖 哽咽 "
    "tear tears cry cries crying eye eyes hand hands fist finger fingers lip lips trembl shak sob"
)
_WIDE_WORDS = _words(
    "众人 宾客 人群 所有人 大家 全场 一群 保镖们 走进 推门 进来 冲进 闯进 跑 离开 走出 "
    "crowd everyone guests enters enter walks runs storms exits arrives leaves"
)
_MOTION_WORDS = _words("走 跑 冲 追 闯 推门 进来 离开 enters walks runs follows chases storms exits leaves")
_PUSH_WORDS = _words("缓缓 慢慢 凝视 盯着 看向 愣住 震惊 stares realizes slowly freezes")
_HIGH_WORDS = _words("俯视 楼下 天台 跪 倒在地 摔倒 looks_down kneels falls rooftop")
_LOW_WORDS = _words("抬头 仰望 高楼 大厦 looks_up towers")
_PRONOUNS = ("他", "她", "它", "他们", "她们", "He ", "She ", "They ", "His ", "Her ")

_VO_EXT = {"VO", "V.O.", "画外音", "旁白"}
_INNER_EXT = {"OS", "内心", "内心OS", "内心独白", "心声", "独白"}
_OFF_EXT = {"O.S.", "O.C.", "OFF", "OC", "画外"}
_PHONE_EXT = {"电话", "ON PHONE", "PHONE", "FILTERED"}

_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD_RE = re.compile(r"[A-Za-z0-9']+")


def _has(text: str, words: tuple[str, ...]) -> bool:
    low = text.casefold()
    for word in words:
        if word.isascii():
            # English words match at a word start: "trembl" finds "trembling", "eye" not "key".
            if re.search(rf"\b{re.escape(word.casefold())}", low):
                return True
        elif word in text:
            return True
    return False


def _seconds(text: str, *, cjk_rate: float, word_rate: float) -> float:
    cjk = len(_CJK_RE.findall(text))
    words = len(_WORD_RE.findall(_CJK_RE.sub(" ", text)))
    return cjk / cjk_rate + words / word_rate


def _round_duration(seconds: float, *, low: float = 2.0, high: float | None = None) -> float:
    value = max(low, math.ceil(seconds * 2) / 2)
    return min(value, high) if high is not None else value


# --------------------------------------------------------------------------- building


@dataclass
class _Scene:
    heading: Element | None
    label: str  # "1-1", "3-12A"
    elements: list[Element]
    characters: list[str]


def build_shots(
    episode: EpisodeText,
    *,
    character_anchors: dict[str, str],
    location_anchors: dict[str, str],
    heading_parts: Callable[[Element], HeadingParts],
) -> list[Shot]:
    """A first-pass shot list for one episode (see the module docstring for the rules)."""
    text = " ".join(el.text for el in episode.elements)
    english = len(_CJK_RE.findall(text)) * 4 < len(re.findall(r"[A-Za-z]", text))
    builder = _Builder(episode, character_anchors, location_anchors, heading_parts, english)
    scenes = _scenes(episode)
    for scene in scenes:
        builder.scene(scene)
    # A caption or flashback cue at a scene's end belongs to the next scene's first shot.
    builder.finish(scenes[-1] if scenes else None)
    return builder.shots


def _scenes(episode: EpisodeText) -> list[_Scene]:
    ep = episode.number if episode.number is not None else 1
    scenes: list[_Scene] = []
    current: _Scene | None = None
    count = 0
    for el in episode.elements:
        if el.kind == Kind.SCENE_HEADING:
            count += 1
            number = el.scene_number or str(count)
            label = number if "-" in number else f"{ep}-{number}"
            current = _Scene(el, label, [], [])
            scenes.append(current)
            continue
        if current is None:  # a cold open before the first heading
            current = _Scene(None, f"{ep}-0", [], [])
            scenes.append(current)
        current.elements.append(el)
    for scene in scenes:
        names: dict[str, None] = {}
        for el in scene.elements:
            if el.kind == Kind.CAST:
                names.update(dict.fromkeys(split_cast(el.text)))
            elif el.kind == Kind.CHARACTER and el.text:
                names.setdefault(el.text, None)
        scene.characters = list(names)
    return scenes


class _Builder:
    def __init__(
        self,
        episode: EpisodeText,
        character_anchors: dict[str, str],
        location_anchors: dict[str, str],
        heading_parts: Callable[[Element], HeadingParts],
        english: bool,
    ) -> None:
        self.episode = episode
        self.character_anchors = {k.casefold(): v for k, v in character_anchors.items() if v}
        self.location_anchors = location_anchors
        self.heading_parts = heading_parts
        self.en = english
        self.shots: list[Shot] = []
        self.flashback = False
        self.pending_sound: list[str] = []
        self.pending_frame: list[str] = []

    # -- helpers

    def t(self, zh: str, en: str) -> str:
        return en if self.en else zh

    def add(
        self,
        scene: _Scene,
        location: str,
        *,
        size: str,
        angle: str = "平视",
        movement: str = "固定",
        duration: float,
        in_frame: str,
        dialogue: str = "",
        sound: str = "",
        characters: list[str] | None = None,
    ) -> Shot:
        characters = characters or []
        frame = [*self.pending_frame, in_frame]
        if self.flashback:
            frame.insert(0, self.t("【闪回】", "[FLASHBACK]"))
        sounds = [*self.pending_sound, sound]
        self.pending_frame, self.pending_sound = [], []
        index = sum(1 for s in self.shots if s.scene == scene.label) + 1
        shot = Shot(
            number=f"{scene.label}-{index:02d}",
            scene=scene.label,
            size=size,
            angle=angle,
            movement=movement,
            duration_s=duration,
            in_frame=" ".join(part for part in frame if part),
            dialogue=dialogue,
            sound=self.t("；", "; ").join(part for part in sounds if part),
            characters=characters,
            location=location,
            character_anchors=self.anchors_for(characters),
            location_anchor=self.location_anchor(location),
        )
        self.shots.append(shot)
        return shot

    def anchors_for(self, names: list[str]) -> str:
        parts = []
        for name in names:
            anchor = self.character_anchors.get(name.casefold())
            if anchor:
                parts.append(f"{name}{self.t('：', ': ')}{anchor}")
        return self.t("；", "; ").join(parts)

    def location_anchor(self, location: str) -> str:
        if not location:
            return ""
        if location in self.location_anchors:
            return self.location_anchors[location]
        key = location.casefold()
        matches = [
            (len(name), anchor)
            for name, anchor in self.location_anchors.items()
            if name and anchor and (name.casefold() in key or key in name.casefold())
        ]
        return max(matches)[1] if matches else ""

    def named(self, text: str, scene: _Scene) -> list[str]:
        low = text.casefold()
        return [name for name in scene.characters if name.casefold() in low]

    # -- scenes

    def scene(self, scene: _Scene) -> None:
        location = ""
        if scene.heading is not None:
            parts = self.heading_parts(scene.heading)
            location = parts.location
            exterior = parts.int_ext in ("外", "EXT")
            where = location or scene.heading.text
            details = [p for p in (parts.time_of_day, parts.int_ext) if p]
            if self.en:
                frame = f"Establishing: {where}" + (f" ({', '.join(reversed(details))})" if details else "")
            else:
                frame = f"建立镜头：{where}" + (f"（{'，'.join(details)}）" if details else "")
            self.add(
                scene,
                location,
                size="全景",
                movement="摇" if exterior else "固定",
                duration=3.0,
                in_frame=frame,
                sound=self.t("环境音", "Ambience"),
                characters=list(scene.characters),
            )
        els = scene.elements
        i = 0
        previous_action = ""
        while i < len(els):
            el = els[i]
            if el.kind == Kind.CHARACTER or el.kind in (Kind.PARENTHETICAL, Kind.DIALOGUE):
                end = i + 1 if el.kind == Kind.CHARACTER else i
                while end < len(els) and els[end].kind in (Kind.PARENTHETICAL, Kind.DIALOGUE):
                    end += 1
                cue = el if el.kind == Kind.CHARACTER else None
                self.speech(scene, location, cue, els[i + 1 if cue else i : end], previous_action)
                previous_action = ""
                i = end
                continue
            i += 1
            if el.kind in (Kind.ACTION, Kind.CENTERED):
                self.action(scene, location, el.text)
                previous_action = el.text
            elif el.kind == Kind.VOICE_OVER:
                self.narration(scene, location, el.text)
            elif el.kind == Kind.CAPTION:
                self.pending_frame.append(self.t(f"【字幕：{el.text}】", f"[SUPER: {el.text}]"))
            elif el.kind == Kind.FLASHBACK_START:
                self.flashback = True
                self.pending_sound.append(self.t("闪回音效", "Flashback sting"))
            elif el.kind == Kind.FLASHBACK_END:
                self.flashback = False
                self.pending_sound.append(self.t("闪回结束，回到现实", "End of flashback"))
            elif el.kind == Kind.TRANSITION and self.shots:
                last = self.shots[-1]
                label = self.t("转场", "Transition")
                note = (
                    el.text
                    if el.text.startswith(label)
                    else self.t(f"转场：{el.text}", f"Transition: {el.text}")
                )
                last.sound = self.t("；", "; ").join(part for part in (last.sound, note) if part)

    def finish(self, scene: _Scene | None) -> None:
        """A caption or cue after the episode's last shot still needs a picture or a shot to sit on."""
        if scene is not None and self.pending_frame:
            location = self.shots[-1].location if self.shots else ""
            self.add(scene, location, size="全景", duration=2.0, in_frame="", characters=[])
        elif self.pending_sound and self.shots:
            last = self.shots[-1]
            last.sound = self.t("；", "; ").join(part for part in (last.sound, *self.pending_sound) if part)
        self.pending_sound = []

    def action(self, scene: _Scene, location: str, text: str) -> None:
        flat = " ".join(line.strip() for line in text.split("\n") if line.strip())
        characters = self.named(flat, scene)
        if (
            not characters
            and flat.startswith(_PRONOUNS)
            and self.shots
            and self.shots[-1].scene == scene.label
        ):
            characters = list(self.shots[-1].characters)
        if _has(flat, _WIDE_WORDS):
            size = "全景"
        elif _has(flat, _INSERT_WORDS):
            size = "特写"
        elif len(characters) >= 2:
            size = "全景"
        else:
            size = "中景"
        self.add(
            scene,
            location,
            size=size,
            angle=_angle(flat),
            movement=_movement(flat),
            duration=_round_duration(_seconds(flat, cjk_rate=5, word_rate=3), high=10.0),
            in_frame=flat,
            characters=characters,
        )

    def speech(
        self, scene: _Scene, location: str, cue: Element | None, parts: list[Element], previous_action: str
    ) -> None:
        name = cue.text if cue else ""
        ext = (cue.extension if cue else "").strip()
        parens = [p.text for p in parts if p.kind == Kind.PARENTHETICAL and p.text]
        said = " ".join(p.text.replace("\n", " ") for p in parts if p.kind == Kind.DIALOGUE).strip()
        ext_key = ext.upper() if ext.isascii() else ext
        sound, in_frame_speaker = "", True
        if ext_key in _VO_EXT or ext_key.replace(" ", "") == "V.O.":
            sound, in_frame_speaker = self.t("画外音（VO）", "Voice-over (V.O.)"), False
        elif ext_key in _INNER_EXT and not self.en:
            sound = "内心独白（OS），人物口型不动"
        elif ext_key in _OFF_EXT or (self.en and ext_key == "OS"):
            sound, in_frame_speaker = self.t("画外（人物不在画面内）", "Off-screen (O.S.)"), False
        elif ext_key in _PHONE_EXT:
            sound = self.t("电话声", "Phone filter")
        detail = " ".join(parens) + " " + previous_action
        size = "特写" if _has(detail, _DETAIL_WORDS) else "近景"
        previous = self.shots[-1] if self.shots and self.shots[-1].scene == scene.label else None
        characters = [name] if name and in_frame_speaker else []
        angle = _angle(" ".join(parens))
        if (
            angle == "平视"
            and previous is not None
            and previous.dialogue
            and previous.characters
            and name not in previous.characters
        ):
            angle = "过肩"  # the answer, over the shoulder of whoever spoke last
            characters = characters + [c for c in previous.characters if c not in characters]
        if in_frame_speaker:
            frame = name + (self.t(f"（{'；'.join(parens)}）", f" ({'; '.join(parens)})") if parens else "")
        else:
            frame = self.t("画面承接上一镜头", "Hold on the previous image")
            if parens:
                frame += self.t(f"（{'；'.join(parens)}）", f" ({'; '.join(parens)})")
        speaker = name + (f"（{ext}）" if ext and not self.en else f" ({ext})" if ext else "")
        dialogue = f"{speaker}{self.t('：', ': ')}{said}" if said and speaker else said
        seconds = _seconds(said, cjk_rate=4, word_rate=2.5) + (0.5 if parens else 0)
        self.add(
            scene,
            location,
            size=size if in_frame_speaker else (previous.size if previous else "中景"),
            angle=angle,
            movement=_movement(" ".join(parens)) if in_frame_speaker else "固定",
            duration=_round_duration(seconds),
            in_frame=frame,
            dialogue=dialogue,
            sound=sound,
            characters=characters,
        )

    def narration(self, scene: _Scene, location: str, text: str) -> None:
        previous = self.shots[-1] if self.shots and self.shots[-1].scene == scene.label else None
        self.add(
            scene,
            location,
            size=previous.size if previous else "全景",
            duration=_round_duration(_seconds(text, cjk_rate=4, word_rate=2.5)),
            in_frame=self.t("旁白配画，画面承接上一镜头", "Narration over the previous image"),
            dialogue=self.t(f"旁白：{text}", f"Narrator: {text}"),
            sound=self.t("旁白（VO）", "Narration (V.O.)"),
            characters=list(previous.characters) if previous else [],
        )


def _angle(text: str) -> str:
    if _has(text, _HIGH_WORDS):
        return "俯视"
    if _has(text, _LOW_WORDS):
        return "仰视"
    return "平视"


def _movement(text: str) -> str:
    if _has(text, _MOTION_WORDS):
        return "跟"
    if _has(text, _PUSH_WORDS):
        return "推"
    return "固定"


# --------------------------------------------------------------------------- output


def _term(value: str, lang: str) -> str:
    return _EN_TERMS.get(value, value) if lang == "en" else value


def _duration(value: float) -> str:
    return f"{value:g}"


def table_rows(shots: list[Shot], lang: str) -> list[list[str]]:
    """The cells of each shot, in HEADERS order, for the CSV and the PDF table."""
    return [
        [
            s.number,
            s.scene,
            _term(s.size, lang),
            _term(s.angle, lang),
            _term(s.movement, lang),
            _duration(s.duration_s),
            s.in_frame,
            s.dialogue,
            s.sound,
            s.character_anchors,
            s.location_anchor,
        ]
        for s in shots
    ]


def _spreadsheet_safe(cell: str) -> str:
    # Excel runs a cell starting with = + - @ as a formula (CSV injection); a leading
    # apostrophe makes it text. Shot numbers and durations never start that way.
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


def to_csv(shots: list[Shot], lang: str = "zh") -> str:
    """CSV text with a UTF-8 BOM (so Excel opens Chinese correctly); encode it as UTF-8."""
    if lang not in HEADERS:
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS[lang])
    for row in table_rows(shots, lang):
        writer.writerow([_spreadsheet_safe(cell) for cell in row])
    return "\ufeff" + buffer.getvalue()
