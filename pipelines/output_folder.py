"""Publishing: a run's outputs are staged in a working folder beside OUT_DIR and replace OUT_DIR only at
the end (used by the resources, the CLI and the reports stage, so it belongs to none of the stages)."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

MARKER = "run_manifest.json"


class PublishRefused(Exception):
    pass


def work_dir_for(output_dir: str | Path) -> Path:
    """Working files (database, staged outputs) live beside OUT_DIR, never inside it."""
    output = Path(output_dir).resolve()
    return output.parent / f".{output.name}.work"


def carry_forward_quarters(output: Path, staging: Path) -> list[str]:
    """quarters/<quarter>/ of the previous output that this run did not report again: a quarterly
    report stays published as it was until a run reports that quarter anew."""
    previous = output / "quarters"
    if not (output / MARKER).exists():
        return []  # not an audit output: publish() refuses it
    kept = []
    for quarter in sorted(previous.iterdir()) if previous.is_dir() else []:
        target = staging / "quarters" / quarter.name
        if quarter.is_dir() and not target.exists():
            shutil.copytree(quarter, target)
            kept.append(quarter.name)
    return kept


def recover_interrupted_publish(output: Path, work: Path) -> bool:
    """A run killed between the two moves of publish() leaves the last good output in
    work/previous and none at OUT_DIR: put it back (every run does this first, under the lock)."""
    previous = work / "previous"
    if output.exists() or not (previous / MARKER).exists():
        return False
    output.parent.mkdir(parents=True, exist_ok=True)
    os.replace(previous, output)
    return True


def publish(staging: Path, output: Path, work: Path) -> None:
    """Swap the staged folder into place; the previous output stays whole until the swap."""
    recover_interrupted_publish(output, work)
    if output.exists() and any(output.iterdir()) and not (output / MARKER).exists():
        raise PublishRefused(f"{output} holds files that are not an abc-audit output; choose another --output")
    output.parent.mkdir(parents=True, exist_ok=True)
    previous = work / "previous"
    shutil.rmtree(previous, ignore_errors=True)
    if output.exists():
        os.replace(output, previous)
    os.replace(staging, output)
    shutil.rmtree(previous, ignore_errors=True)
    shutil.rmtree(work / "staging", ignore_errors=True)
