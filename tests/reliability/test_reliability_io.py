"""sagatsr.io: atomic replacement, one writer per folder (stale locks taken over), --out checks."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap

import pytest

from sagatsr.errors import LockedError, OutputError
from sagatsr.io import LOCK_FILE, OutputLock, atomic_target, prepare_output_dir, prepare_output_file, write_text
from sagatsr.io.lock import read_holder

HOLDER = textwrap.dedent("""
    import sys, time
    from sagatsr.io import OutputLock
    with OutputLock(sys.argv[1], command="sagatsr train --out first"):
        print("locked", flush=True)
        time.sleep(120)
""")


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "features.nc"
    write_text(target, "old")
    with pytest.raises(RuntimeError):
        with atomic_target(target) as tmp:
            tmp.write_text("half of the new")
            raise RuntimeError("killed while writing")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["features.nc"]
    write_text(target, "new")
    assert target.read_text() == "new" and os.listdir(tmp_path) == ["features.nc"]


def test_temp_file_keeps_the_suffix_and_final_file_normal_permissions(tmp_path):
    with atomic_target(tmp_path / "x.nc") as tmp:
        assert tmp.name.endswith(".nc") and tmp.parent == tmp_path
        tmp.write_text("data")
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "x.nc").stat().st_mode & 0o777 == 0o666 & ~umask


def test_disk_full_is_one_error_naming_the_destination(tmp_path, monkeypatch):
    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full)
    with pytest.raises(OutputError, match=f"^cannot write {tmp_path / 'a.json'}: No space left on device$"):
        write_text(tmp_path / "a.json", "{}")
    assert os.listdir(tmp_path) == []


def test_second_writer_is_told_who_holds_the_folder_and_a_dead_holder_is_taken_over(tmp_path):
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(LockedError) as info:
            with OutputLock(tmp_path, command="sagatsr train --out second"):
                pass
        message = str(info.value)
        assert f"is in use by PID {child.pid}" in message and "sagatsr train --out first" in message
        assert "\n" not in message
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    # the holder died without cleaning up: its lock file is still there, and is taken over
    assert read_holder(tmp_path)["pid"] == child.pid
    with OutputLock(tmp_path, command="sagatsr train --out second"):
        assert read_holder(tmp_path)["pid"] == os.getpid()
        assert read_holder(tmp_path)["command"] == "sagatsr train --out second"
    assert not (tmp_path / LOCK_FILE).exists()


def test_lock_is_reentrant_within_one_process(tmp_path):
    with OutputLock(tmp_path):
        with OutputLock(tmp_path):  # sagatsr run holds the folder, a step locks it again
            assert (tmp_path / LOCK_FILE).exists()
        assert (tmp_path / LOCK_FILE).exists()
    assert not (tmp_path / LOCK_FILE).exists()


def test_out_that_is_a_file_or_below_a_file(tmp_path):
    (tmp_path / "taken").write_text("")
    with pytest.raises(OutputError, match="taken exists and is not a folder"):
        prepare_output_dir(tmp_path / "taken")
    with pytest.raises(OutputError, match="taken is a file"):
        prepare_output_dir(tmp_path / "taken" / "sub")
    with pytest.raises(OutputError, match="is a folder; --out needs a file name ending in .nc"):
        prepare_output_file(tmp_path, (".nc",))
    assert prepare_output_file(tmp_path / "new" / "f.nc", (".nc",)) == tmp_path / "new" / "f.nc"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into read-only folders; see the next test")
def test_read_only_folder_is_refused_before_work(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(OutputError, match=f"cannot write into {folder}"):
            prepare_output_dir(folder)
    finally:
        folder.chmod(0o700)


def test_unwritable_folder_is_refused_before_work(tmp_path, monkeypatch):
    import sagatsr.io.preflight as preflight

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(preflight.tempfile, "mkstemp", denied)
    with pytest.raises(OutputError, match=f"^cannot write into {tmp_path} \\(for .*\\): Permission denied$"):
        prepare_output_file(tmp_path / "features.nc")


def test_lock_file_records_pid_host_and_command(tmp_path):
    with OutputLock(tmp_path, command="sagatsr run --out x"):
        holder = json.loads((tmp_path / LOCK_FILE).read_text())
    assert holder["pid"] == os.getpid() and holder["command"] == "sagatsr run --out x" and holder["host"]
