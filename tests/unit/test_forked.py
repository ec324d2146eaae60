"""schema/forked.py and schema/sqlite_scratch.py with real forked processes: results, failures with their
step, a dead child, and the scratch directories a killed run leaves behind."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile

import pytest

from schema.forked import ForkedCall, ForkedCallFailed
from schema.sqlite_scratch import scratch_directory


def _run(work):
    call = ForkedCall(work, name="test-helper")
    call.start()
    try:
        return call.result()
    finally:
        call.stop()


def test_the_child_result_comes_back():
    parent_data = list(range(1000))  # the forked child sees the parent's memory without a copy being sent

    def work(mark):
        mark("summing")
        return {"sum": sum(parent_data), "pid": os.getpid()}

    got = _run(work)
    assert got["sum"] == sum(range(1000)) and got["pid"] != os.getpid()


def test_a_failure_names_the_step_it_happened_in():
    def work(mark):
        mark("first")
        mark("second")
        raise ValueError("bad row 7")

    with pytest.raises(ForkedCallFailed, match="bad row 7") as err:
        _run(work)
    assert err.value.step == "second"


def test_a_child_that_dies_is_reported_with_its_exit_code():
    with pytest.raises(ForkedCallFailed, match="exit code 3") as err:
        _run(lambda mark: os._exit(3))
    assert err.value.step is None


def test_scratch_directory_removes_what_a_dead_process_left_and_keeps_a_live_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(finished.stdout)
    stale = tmp_path / f"sqlite-refresh-{dead_pid}-abc"
    (stale / "sub").mkdir(parents=True)
    (stale / "scratch.db").write_bytes(b"x" * 100)
    live = tmp_path / f"sqlite-refresh-{os.getppid()}-def"  # our parent: alive
    live.mkdir()
    other = tmp_path / f"sqlite-load-{dead_pid}-ghi"  # another prefix: not ours to clean
    other.mkdir()

    new = scratch_directory("sqlite-refresh-")
    assert not stale.exists() and live.exists() and other.exists()
    assert os.path.basename(new).startswith(f"sqlite-refresh-{os.getpid()}-") and os.path.isdir(new)
