"""Benchmark the shooting-script export: pagination, Typst rendering, WeasyPrint baseline.

    python bench/export.py --json

Builds a synthetic 80-episode season (headings, action, cues, parentheticals, dialogue
including speeches that cross pages, transitions, dual dialogue), then times pagination
and rendering separately (median of --runs) and renders the same pages with WeasyPrint
(absolutely positioned HTML lines, same fonts) as the baseline. The last line printed
is JSON: pages, paginate_s, render_s, total_s, weasyprint_s, speedup and extras.
"""

from __future__ import annotations

import argparse
import html
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts_app.formats.elements import Element, EpisodeText, Kind  # noqa: E402
from scripts_app.layout import PaginatedScript, Revision, ShootingScriptOptions, paginate  # noqa: E402
from scripts_app.render import RenderOptions, render_pdf  # noqa: E402
from scripts_app.render.fonts import courier_prime_dir  # noqa: E402

NAMES = ["VIVIAN", "ETHAN", "GRANDMA LU", "MR. BLACKWOOD", "CLAIRE", "DETECTIVE RUIZ", "LIN WEI"]
PLACES = [
    "PENTHOUSE OFFICE",
    "HOSPITAL CORRIDOR",
    "ROOFTOP BAR",
    "BLACKWOOD MANSION - BALLROOM",
    "PARKING GARAGE",
]
WORDS = (
    "the contract is signed and nothing you say will change what happened that night at the gala "
    "she never told him about the baby or the money her father hid in the offshore account "
    "he turns slowly rain streaks the glass behind him and the city lights blur into gold"
).split()
SENTENCE_ENDS = [".", ".", ".", "?", "!"]

ZH_NAMES = ["张明", "张父", "林婉", "顾总", "王妈", "苏晴"]
ZH_PLACES = ["张家客厅", "顾氏集团总裁办公室", "医院走廊", "酒店宴会厅", "地下停车场"]
ZH_TEXT = (
    "她攥紧手里的离婚协议，指节发白。窗外的雨越下越大，他却始终没有回头。"
    "你以为我还会像从前那样忍下去吗？三年了，我受够了！"
)


def _sentence(rng: random.Random, lo: int, hi: int) -> str:
    words = rng.choices(WORDS, k=rng.randint(lo, hi))
    return " ".join(words).capitalize() + rng.choice(SENTENCE_ENDS)


def _para(rng: random.Random, sentences: int) -> str:
    return " ".join(_sentence(rng, 5, 14) for _ in range(sentences))


def season(episodes: int = 80, seed: int = 7) -> list[EpisodeText]:
    """A synthetic screenplay-format season, about 3.3 Letter pages per episode."""
    rng = random.Random(seed)
    out = []
    for ep in range(1, episodes + 1):
        els: list[Element] = []
        for sc in range(1, rng.randint(3, 4) + 1):
            tod = rng.choice(["DAY", "NIGHT", "CONTINUOUS"])
            ie = rng.choice(["INT.", "EXT."])
            heading = f"{ie} {rng.choice(PLACES)} - {tod}"
            els.append(Element(Kind.SCENE_HEADING, heading, scene_number=str(sc)))
            els.append(Element(Kind.ACTION, _para(rng, rng.randint(1, 4))))
            for beat in range(rng.randint(3, 5)):
                name = rng.choice(NAMES)
                if beat == 3 and rng.random() < 0.15:
                    other = rng.choice([n for n in NAMES if n != name])
                    els += [
                        Element(Kind.CHARACTER, name),
                        Element(Kind.DIALOGUE, _sentence(rng, 3, 9)),
                        Element(Kind.CHARACTER, other, dual=True),
                        Element(Kind.DIALOGUE, _sentence(rng, 3, 9)),
                    ]
                    continue
                els.append(Element(Kind.CHARACTER, name, extension=rng.choice(["", "", "", "V.O.", "O.S."])))
                if rng.random() < 0.3:
                    els.append(Element(Kind.PARENTHETICAL, rng.choice(["beat", "quietly", "into phone"])))
                long = rng.random() < 0.04  # a monologue long enough to cross a page
                sentences = rng.randint(25, 40) if long else rng.randint(1, 3)
                els.append(Element(Kind.DIALOGUE, _para(rng, sentences)))
                if rng.random() < 0.4:
                    els.append(Element(Kind.ACTION, _para(rng, rng.randint(1, 3))))
            if rng.random() < 0.5:
                els.append(Element(Kind.TRANSITION, rng.choice(["CUT TO:", "SMASH CUT TO:", "DISSOLVE TO:"])))
        out.append(EpisodeText(number=ep, title=f"The Contract Part {ep}", elements=els))
    return out


def season_zh(episodes: int = 80, seed: int = 11) -> list[EpisodeText]:
    """A synthetic Chinese micro-drama season (profile "zh")."""
    rng = random.Random(seed)
    out = []
    for ep in range(1, episodes + 1):
        els: list[Element] = []
        for sc in range(1, rng.randint(3, 4) + 1):
            names = rng.sample(ZH_NAMES, 2)
            tod, ie = rng.choice(["日", "夜"]), rng.choice(["内", "外"])
            heading = f"{tod} {ie} {rng.choice(ZH_PLACES)}"
            els.append(Element(Kind.SCENE_HEADING, heading, scene_number=f"{ep}-{sc}"))
            els.append(Element(Kind.CAST, "、".join(names)))
            for _ in range(rng.randint(8, 12)):
                if rng.random() < 0.3:
                    els.append(Element(Kind.ACTION, ZH_TEXT[: rng.randint(15, 60)]))
                else:
                    ext = rng.choice(["", "", "OS"])
                    els.append(Element(Kind.CHARACTER, rng.choice(names), extension=ext))
                    if rng.random() < 0.3:
                        els.append(Element(Kind.PARENTHETICAL, "冷笑"))
                    start = rng.randint(0, 30)
                    els.append(Element(Kind.DIALOGUE, (ZH_TEXT * 3)[start : start + rng.randint(10, 90)]))
        out.append(EpisodeText(number=ep, title=f"契约第{ep}章", elements=els))
    return out


def weasy_html(script: PaginatedScript, watermark: str) -> str:
    """The same positioned lines as absolutely positioned HTML (the baseline engine)."""
    p = script.profile
    courier = courier_prime_dir()
    faces = []
    if courier:
        for fname, weight, style in (
            ("Courier Prime.otf", 400, "normal"),
            ("Courier Prime Bold.otf", 700, "normal"),
            ("Courier Prime Italic.otf", 400, "italic"),
            ("Courier Prime Bold Italic.otf", 700, "italic"),
        ):
            url = (courier / fname).as_uri()
            faces.append(
                f"@font-face{{font-family:'Courier Prime';src:url('{url}');"
                f"font-weight:{weight};font-style:{style}}}"
            )
    fonts = ",".join(f"'{f}'" for f in p.fonts)
    css = (
        "".join(faces)
        + f"@page{{size:{p.width_in}in {p.height_in}in;margin:0}}"
        + f"body{{margin:0;font-family:{fonts};font-size:{p.font_size_pt}pt;line-height:1}}"
        + f".pg{{position:relative;width:{p.width_in}in;height:{p.height_in}in;page-break-after:always;"
        + "overflow:hidden}"
        + ".l{position:absolute;white-space:pre}.b{font-weight:bold}.u{text-decoration:underline}"
        + ".wm{position:absolute;top:45%;left:10%;font-size:64pt;color:#ddd;transform:rotate(-45deg)}"
    )
    parts = [f"<html><head><meta charset='utf-8'><style>{css}</style></head><body>"]
    base = p.baseline_in - p.font_size_pt / 72 * 0.8
    for page in script.pages:
        fill = f" style='background:{page.fill}'" if page.fill else ""
        parts.append(f"<div class='pg'{fill}><div class='wm'>{html.escape(watermark)}</div>")
        for ln in page.lines:
            cls = "l" + (" b" if ln.bold else "") + (" u" if ln.underline else "")
            top = ln.y_in + base
            if ln.align == "right":
                pos = f"right:{p.width_in - ln.x_in:.3f}in"
            elif ln.align == "center":
                pos = f"left:{ln.x_in - 3:.3f}in;width:6in;text-align:center"
            else:
                pos = f"left:{ln.x_in:.3f}in"
            size = f";font-size:{ln.size_pt}pt" if ln.size_pt else ""
            style = f"top:{top:.3f}in;{pos}{size}"
            parts.append(f"<div class='{cls}' style='{style}'>{html.escape(ln.text)}</div>")
        parts.append("</div>")
    parts.append("</body></html>")
    return "".join(parts)


def _median(fn, runs: int) -> tuple[float, object]:
    times = []
    result = None
    for i in range(runs):
        t = time.perf_counter()
        result = fn(i)
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def bench(profile: str, episodes: list[EpisodeText], runs: int) -> dict:
    options = ShootingScriptOptions(
        profile=profile,
        header="THE CONTRACT - Ep. {episode}",
        revision=Revision("blue", "2026-11-24"),
        revised=frozenset(range(0, 20000, 37)),
    )
    paginate_s, script = _median(lambda i: paginate(episodes, options), runs)
    assert isinstance(script, PaginatedScript)
    t = time.perf_counter()
    render_pdf(script, RenderOptions(watermark="Cold Start"))  # loads fonts once per process
    cold_s = time.perf_counter() - t
    # A different recipient each run, so no run reuses a whole finished document.
    render_s, pdf = _median(lambda i: render_pdf(script, RenderOptions(watermark=f"Recipient {i}")), runs)
    assert isinstance(pdf, bytes)
    return {
        "pages": script.page_count,
        "paginate_s": round(paginate_s, 4),
        "render_s": round(render_s, 4),
        "total_s": round(paginate_s + render_s, 4),
        "render_first_s": round(cold_s, 4),
        "pdf_bytes": len(pdf),
        "_script": script,
        "_pdf": pdf,
    }


def weasy_time(script: PaginatedScript, runs: int) -> float | None:
    try:
        from weasyprint import HTML
    except ImportError:
        return None
    doc = weasy_html(script, "Recipient")
    t, _ = _median(lambda i: HTML(string=doc).write_pdf(), runs)
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true", help="print only the JSON result line")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--weasy-runs", type=int, default=3)
    ap.add_argument("--episodes", type=int, default=80)
    ap.add_argument("--no-zh", action="store_true", help="skip the Chinese-profile run")
    ap.add_argument("--out", type=Path, help="write the Letter PDF here")
    args = ap.parse_args()

    res = bench("letter", season(args.episodes), args.runs)
    script, pdf = res.pop("_script"), res.pop("_pdf")
    if args.out:
        args.out.write_bytes(pdf)
    weasy = weasy_time(script, args.weasy_runs)
    res["weasyprint_s"] = round(weasy, 4) if weasy is not None else None
    res["speedup"] = round(weasy / res["total_s"], 1) if weasy else None
    if not args.no_zh:
        zh = bench("zh", season_zh(args.episodes), args.runs)
        res["zh"] = {k: v for k, v in zh.items() if not k.startswith("_")}
    if not args.json:
        for k, v in res.items():
            print(f"{k:>16}: {v}")
    print(json.dumps(res))


if __name__ == "__main__":
    main()
