"""The sample scripts in tests/samples/, for every test that reads one."""

from pathlib import Path

SAMPLES = Path(__file__).parent / "samples"


def read(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")
