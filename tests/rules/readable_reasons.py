"""Checks that the reasons clinicians read are plain English (measures.md "Reasons a clinician can
read"): no underscore_joined codes or field names, no "index - 60" arithmetic, no sentinel dates."""
from __future__ import annotations

import json
import re

_CODE_WORD = re.compile(r"\b[A-Za-z0-9]+_[A-Za-z0-9_]+\b")
_INDEX_ARITHMETIC = re.compile(r"index\s*[-+]", re.IGNORECASE)
_EARLY_DATE = re.compile(r"\b(1[0-8][0-9]{2}|19[0-4][0-9])-[0-9]{2}-[0-9]{2}\b")


def reason_problems(text: str) -> list[str]:
    """What makes one reason unreadable for a clinician (empty list: nothing)."""
    problems = []
    if _CODE_WORD.search(text):
        problems.append(f"underscore-joined word {_CODE_WORD.search(text).group(0)!r}")
    if _INDEX_ARITHMETIC.search(text):
        problems.append("index arithmetic")
    if _EARLY_DATE.search(text):
        problems.append(f"date before 1950 {_EARLY_DATE.search(text).group(0)!r}")
    return problems


def unreadable_outcomes(rows: list[dict]) -> list[tuple]:
    """(rule, patient, unit, problem) for every case outcome whose reason, reason code or evidence
    breaks the rules: every reason has a code, and the evidence holds no sentinel date either."""
    found = []
    for row in rows:
        key = (row["rule_id"], row["patient_id"], row["unit_id"])
        if not row["reason_code"] or not re.fullmatch(r"[a-z0-9_]+", row["reason_code"]):
            found.append((*key, f"reason code {row['reason_code']!r}"))
        if not row["reason"]:
            found.append((*key, "no reason"))
        found.extend((*key, problem) for problem in reason_problems(row["reason"] or ""))
        evidence = row["evidence"] if isinstance(row["evidence"], str) else json.dumps(row["evidence"])
        if _EARLY_DATE.search(evidence):
            found.append((*key, f"evidence date before 1950 {_EARLY_DATE.search(evidence).group(0)!r}"))
    return found
