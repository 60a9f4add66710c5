"""One audit run at a time per output folder: an exclusive lock on `.<output>.work/lock`.

The operating system releases the lock when the process ends, so a killed run never leaves a stale
lock behind. The lock is re-entrant within a process: the CLI takes it before it clears the old
database, and the run's resources take it again for the whole Dagster run (also for runs started
from the UI or the schedule).
"""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

_held: dict[Path, tuple[int, int]] = {}  # lock path -> (file descriptor, holders in this process)


class OutputLocked(Exception):
    pass


def acquire(work_dir: Path) -> None:
    path = (work_dir / "lock").resolve()
    if path in _held:
        fd, holders = _held[path]
        _held[path] = (fd, holders + 1)
        return
    work_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        raise OutputLocked(f"another audit run is writing to this output folder (lock {path}); "
                           "wait for it to finish or choose another --output") from None
    _held[path] = (fd, 1)


def is_held_elsewhere(work_dir: Path) -> bool:
    """Whether another process (an `abc-audit run` from a terminal, say) holds the folder's lock now."""
    path = (work_dir / "lock").resolve()
    if path in _held or not path.exists():
        return False
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def release(work_dir: Path) -> None:
    path = (work_dir / "lock").resolve()
    fd, holders = _held.get(path, (None, 0))
    if fd is None:
        return
    if holders > 1:
        _held[path] = (fd, holders - 1)
        return
    del _held[path]
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)


@contextmanager
def output_lock(work_dir: Path) -> Iterator[None]:
    acquire(work_dir)
    try:
        yield
    finally:
        release(work_dir)
