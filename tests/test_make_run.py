"""`make run` stopped with Ctrl-C at any moment exits cleanly (issue 9, point 17): ops/run.sh ends with
status 0, says "stopped", prints no Python traceback, and leaves no process of its own behind.

The script runs from a scratch copy of the repository's layout whose .venv holds stubs: `python`
sleeps through the step the test interrupts, `daphne` and `celery` sleep as servers do. The test sends
SIGINT to the whole process group, as a terminal's Ctrl-C does.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

STUB_PYTHON = """#!/bin/sh
case "$*" in
  *"{slow}"*) echo "step {slow} running"; exec sleep 60 ;;
esac
exit 0
"""
STUB_SERVER = "#!/bin/sh\nexec sleep 60\n"


def _scratch(tmp_path: Path, slow: str) -> Path:
    (tmp_path / "ops").mkdir()
    shutil.copy(ROOT / "ops" / "run.sh", tmp_path / "ops" / "run.sh")
    bin_dir = tmp_path / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    for name, text in (
        ("python", STUB_PYTHON.format(slow=slow)),
        ("daphne", STUB_SERVER),
        ("celery", STUB_SERVER),
    ):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    return tmp_path


def _alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _interrupt_when(tmp_path: Path, *, slow: str, ready: str) -> tuple[int, str]:
    """Start run.sh, wait for `ready` in its output, press Ctrl-C; its exit status and output."""
    root = _scratch(tmp_path, slow)
    env = {**os.environ, "PORT": "1", "HOST": "127.0.0.1", "DATABASE_URL": "postgres://stub"}
    proc = subprocess.Popen(
        ["bash", "ops/run.sh"], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        start_new_session=True, text=True,
    )  # fmt: skip
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    deadline = time.monotonic() + 20
    while not any(ready in line for line in lines) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(ready in line for line in lines), "".join(lines)
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=10)
    finally:
        if proc.returncode is None:
            os.killpg(proc.pid, signal.SIGKILL)
    reader.join(timeout=10)
    out = "".join(lines)
    for _ in range(50):  # the stopped children are reaped a moment later
        if not _alive(proc.pid):
            break
        time.sleep(0.1)
    assert not _alive(proc.pid), "a process of run.sh outlived it"
    return proc.returncode, out


@pytest.mark.parametrize("slow", ["migrate", "seed_demo"])
def test_ctrl_c_while_it_migrates_or_seeds_exits_cleanly(tmp_path, slow) -> None:
    status, out = _interrupt_when(tmp_path, slow=slow, ready=f"step {slow} running")
    assert status == 0, out
    assert "stopped" in out and "Traceback" not in out and "KeyboardInterrupt" not in out


def test_ctrl_c_while_it_serves_exits_cleanly(tmp_path) -> None:
    status, out = _interrupt_when(tmp_path, slow="no step is slow", ready="Ctrl-C stops it")
    assert status == 0, out
    assert "stopped" in out and "Traceback" not in out
