"""A check at a terminal: a progress line on standard error, findings written as files finish;
nothing of the kind when the output is piped."""

import io
import os
import pty
import subprocess
import sys

from asynclint.live import LiveRun
from asynclint.model import Diagnostic

BLOCKING = "import time\n\n\nasync def f():\n    time.sleep(1)\n"


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_progress_line_waits_is_throttled_and_is_cleared():
    clock, stream = Clock(), io.StringIO()
    live = LiveRun(stream, None, clock)
    live.progress(1, 10)
    assert stream.getvalue() == ""  # a short run shows nothing
    clock.now = 1.0
    live.progress(2, 10)
    clock.now = 1.05
    live.progress(3, 10)  # too soon after the last one
    clock.now = 1.2
    live.progress(4, 10)
    assert stream.getvalue().split("\r")[1:] == ["asynclint: 2/10 files checked, 1.0 s",
                                                 "asynclint: 4/10 files checked, 1.2 s"]
    live.clear()
    assert stream.getvalue().endswith("\r" + " " * len("asynclint: 4/10 files checked, 1.2 s") + "\r")


def test_findings_are_written_per_file_and_clear_the_progress_line_first():
    clock, stream, written = Clock(), io.StringIO(), []
    live = LiveRun(stream, written.append, clock)
    clock.now = 1.0
    live.progress(1, 2)
    finding = Diagnostic("a.py", 5, 5, "ASL101", "message")
    live.file_done("a.py", [finding])
    live.file_done("b.py", [])
    assert written == [[finding]] and stream.getvalue().endswith("\r")


def _run_at_a_terminal(args, cwd):
    """The CLI with its standard error on a pseudo-terminal, the progress shown at once."""
    leader, follower = pty.openpty()
    code = ("import sys, asynclint.live as live; live.PROGRESS_AFTER_S = 0; live.PROGRESS_EVERY_S = 0; "
            "from asynclint.cli import main; sys.exit(main(sys.argv[1:]))")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    proc = subprocess.Popen([sys.executable, "-c", code, *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=follower, env=env)
    os.close(follower)
    err = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the follower side closed
            break
        if not chunk:
            break
        err += chunk
    out = proc.stdout.read()
    proc.wait(timeout=60)
    os.close(leader)
    return proc.returncode, out.decode(), err.decode()


def test_a_terminal_sees_progress_and_the_findings_a_pipe_does_not(tmp_path):
    for name in ("a.py", "b.py", "c.py"):
        (tmp_path / name).write_text(BLOCKING)
    code, out, err = _run_at_a_terminal(["check", "--no-cache", "."], tmp_path)
    assert code == 1
    assert "files checked" in err and "3/3 files checked" in err
    assert [line.split(":")[0] for line in out.splitlines()[:3]] == ["./a.py", "./b.py", "./c.py"]
    assert out.splitlines()[-1].startswith("Found 3 findings in 3 files")
    piped = subprocess.run([sys.executable, "-m", "asynclint", "check", "--no-cache", "."], cwd=tmp_path,
                           capture_output=True, text=True, timeout=60)
    assert piped.stderr == "" and piped.stdout == out
