"""Benchmark the parsers on hostile text: the worst scene a writer can save, against ordinary script.

    python bench/parsers.py [--size 200000] [--quick] [--json]

Every hostile text of tests/hostile_text.py (one mark repeated to the scene limit, in every place a
format looks at) goes through each parser, the format detector, the derived scene facts, the
episode splitter and the read view's HTML; each is timed against ordinary script text of the same
size through the same function. Prints the worst cases, the worst time and its ratio per function;
the last line is JSON. The target (issue 10): the worst hostile scene under 0.2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "writersroom.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

from scripts_app.collab import episode_text  # noqa: E402
from scripts_app.formats import detect, fdx, fountain, zh  # noqa: E402
from scripts_app.read_view import scene_html  # noqa: E402
from scripts_app.script_text import parse_scene_uncached  # noqa: E402
from scripts_app.templatetags.script_tags import render_elements  # noqa: E402
from tests.hostile_text import PIECES, RUNS, SCENE_LIMIT, fill, hostile_texts, ordinary_text  # noqa: E402

TARGET_SECONDS = 0.2
MAX_LINES = 20_000  # settings.SCENE_TEXT_MAX_LINES


UPLOAD_LIMIT = 5 * 1024 * 1024  # settings.SCRIPT_UPLOAD_MAX_BYTES: an FDX file is an upload, not a scene


def _fdx(text: str) -> bytes:
    """The text as the paragraphs of a Final Draft file, one per line, of the types read differently."""
    from xml.sax.saxutils import escape

    types = ("Action", "Character", "General", "Scene Heading", "Dialogue", "New Act")
    paragraphs = "".join(
        f'<Paragraph Type="{types[n % len(types)]}"><Text>{escape(line)}</Text></Paragraph>'
        for n, line in enumerate(text.split("\n"))
    )
    return f'<?xml version="1.0"?><FinalDraft><Content>{paragraphs}</Content></FinalDraft>'.encode()


def _detect(text: str) -> None:
    try:
        detect.detect_format(text)
    except detect.ScriptFormatError:
        pass  # "could not tell" is an answer too


def _render(fmt: str) -> Callable[[str], object]:
    return lambda text: render_elements(parse_scene_uncached(text, fmt).elements, fmt)


FUNCTIONS: dict[str, tuple[str, Callable[[str], object]]] = {
    # name: (format of its ordinary baseline, function of the text)
    "zh.parse": ("zh", zh.parse),
    "fountain.parse": ("fountain", fountain.parse),
    "detect": ("fountain", _detect),
    "scene facts zh": ("zh", lambda text: parse_scene_uncached(text, "zh")),
    "scene facts fountain": ("fountain", lambda text: parse_scene_uncached(text, "fountain")),
    "episode split zh": ("zh", lambda text: episode_text.split(text, "zh")),
    "episode split fountain": ("fountain", lambda text: episode_text.split(text, "fountain")),
    "read view zh": ("zh", _render("zh")),
    "read view fountain": ("fountain", _render("fountain")),
    "strip emphasis": ("fountain", fountain.strip_emphasis),
    # What a second reader of the same scene revision pays: the HTML comes from read_view's cache.
    "read view reopened zh": ("zh", lambda text: scene_html(text=text, fmt="zh")),
    "read view reopened fountain": ("fountain", lambda text: scene_html(text=text, fmt="fountain")),
}
PRIMED = {"read view reopened zh", "read view reopened fountain"}  # run once, untimed, before timing


def timed(function: Callable[[str], object], text: str, runs: int = 1) -> float:
    """CPU seconds (best of `runs`): on a shared machine wall time mostly measures the neighbours."""
    best = float("inf")
    for _ in range(runs):
        start = time.process_time()
        function(text)
        best = min(best, time.process_time() - start)
    return best


def _fdx_of_size(unit: str, size: int) -> bytes:
    per_char = len(_fdx(fill(unit, "", "", 2000))) / 2000
    return _fdx(fill(unit, "", "", int(size / per_char)))


def fdx_at_the_upload_limit() -> dict:
    """Final Draft files of the upload limit made of each hostile mark, against ordinary script."""
    baseline = timed(fdx.parse, _fdx_of_size(ordinary_text("fountain", 20_000), UPLOAD_LIMIT), runs=2)
    worst_name, worst = "", 0.0
    for mark in RUNS + PIECES:
        for variant in (mark, mark + "\n"):
            seconds = timed(fdx.parse, _fdx_of_size(variant, UPLOAD_LIMIT))
            if seconds > worst:
                worst_name, worst = repr(variant), seconds
    return {"ordinary_s": round(baseline, 4), "worst_s": round(worst, 4),
            "ratio": round(worst / baseline, 2), "worst_case": worst_name}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=SCENE_LIMIT)
    parser.add_argument("--quick", action="store_true", help="only the marks named in the issue")
    parser.add_argument("--json", action="store_true", help="only the JSON line")
    parser.add_argument("--only", action="append", help="only this function (repeatable)")
    args = parser.parse_args()

    texts = list(hostile_texts(args.size))
    if args.quick:
        texts = [
            (name, text) for name, text in texts if name.split()[0] in ("' '", "'*'", "'_'", "'('", "'【'")
        ]
    summary = {}
    for name, (fmt, function) in FUNCTIONS.items():
        if args.only and name not in args.only:
            continue
        prime = function if name in PRIMED else (lambda text: None)
        prime(ordinary_text(fmt, args.size))
        baseline = timed(function, ordinary_text(fmt, args.size), runs=3)
        worst_name, worst, worst_capped = "", 0.0, 0.0
        for text_name, text in texts:
            prime(text)
            seconds = timed(function, text)
            if seconds > worst:
                worst_name, worst = text_name, seconds
            if text.count("\n") >= MAX_LINES:  # what an import lets into one scene (SCENE_TEXT_MAX_LINES)
                capped = "\n".join(text.split("\n", MAX_LINES)[:MAX_LINES])
                prime(capped)
                seconds = timed(function, capped)
            worst_capped = max(worst_capped, seconds)
        summary[name] = {
            "ordinary_s": round(baseline, 4),
            "worst_s": round(worst, 4),
            "ratio": round(worst / baseline, 2) if baseline else None,
            "worst_case": worst_name,
            "worst_within_line_cap_s": round(worst_capped, 4),
        }
        if not args.json:
            print(
                f"{name:24} ordinary {baseline:7.4f} s   worst hostile {worst:7.4f} s "
                f"({worst / baseline:5.2f}x)  within {MAX_LINES:,} lines {worst_capped:7.4f} s  {worst_name}",
                flush=True,
            )
    if not args.quick and not args.only:
        summary["fdx.parse (5 MB file)"] = entry = fdx_at_the_upload_limit()
        if not args.json:
            print(
                f"{'fdx.parse (5 MB file)':24} ordinary {entry['ordinary_s']:7.4f} s   worst hostile "
                f"{entry['worst_s']:7.4f} s ({entry['ratio']:5.2f}x)  {entry['worst_case']}"
            )
    scenes = [entry for name, entry in summary.items() if not name.startswith("fdx")]
    result = {
        "size": args.size,
        "texts": len(texts),
        "worst_s": max(entry["worst_s"] for entry in scenes),
        "worst_within_line_cap_s": max(entry["worst_within_line_cap_s"] for entry in scenes),
        "target_s": TARGET_SECONDS,
        "functions": summary,
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
