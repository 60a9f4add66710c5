"""Publishing: a run's outputs are staged in a working folder and replace OUT_DIR only at the end."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

MARKER = "run_manifest.json"


class PublishRefused(Exception):
    pass


def publish(staging: Path, output: Path, work: Path) -> None:
    """Swap the staged folder into place; the previous output stays whole until the swap."""
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
