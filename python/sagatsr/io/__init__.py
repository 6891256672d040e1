"""Safe output: atomic file writes, one writer per output folder, and early checks of ``--out``.

* :func:`atomic_target` / :func:`write_text` / :func:`write_bytes`: a file is either its old
  content or its complete new content, never half-written (temp name in the same folder, fsync,
  rename, fsync of the folder).
* :class:`OutputLock`: a lock file (PID, host, command) in an output folder; a second writer gets
  one line naming the holder, a lock left by a dead process is taken over.
* :func:`prepare_output_dir` / :func:`prepare_output_file`: ``--out`` problems (a file where a folder
  is wanted, a read-only folder) are reported before any work starts.

Every failure is an :class:`~sagatsr.errors.OutputError` naming the path (CLI: one line, exit 2).
"""

from sagatsr.io.atomic import atomic_target, write_bytes, write_json, write_text
from sagatsr.io.lock import LOCK_FILE, OutputLock
from sagatsr.io.preflight import prepare_output_dir, prepare_output_file

__all__ = ["atomic_target", "write_bytes", "write_text", "write_json", "OutputLock", "LOCK_FILE",
           "prepare_output_dir", "prepare_output_file"]
