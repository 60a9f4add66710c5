"""The one line per step `abc-audit run` prints instead of Dagster's console output."""
from __future__ import annotations

import logging
import time


class StepProgress(logging.Handler):
    """Prints one line as each step of the Dagster run starts."""

    def __init__(self, stage_of: dict[str, str]):
        super().__init__()
        self.stage_of = stage_of
        self.started = time.monotonic()

    def emit(self, record: logging.LogRecord) -> None:
        event = getattr(record, "dagster_meta", {}).get("dagster_event")
        if event is not None and event.event_type_value == "STEP_START":
            step = event.step_key
            print(f"  {time.monotonic() - self.started:6.1f}s  {self.stage_of.get(step, ''):9} {step}", flush=True)
