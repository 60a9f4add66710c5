"""Case reviews returned by providers' quality teams: their own non_adherent_cases.csv or .xlsx with
`review_verdict` (agree, justified_deviation, data_error), `review_reason` and `reviewed_by_role`
filled in, returned as they are. Read deterministically (the CSV module, openpyxl in read-only
mode), never modified. A file that cannot be used refuses the run in one line naming the file and
the row; rows without a verdict are cases not yet reviewed and are skipped.
"""
from __future__ import annotations

import csv
import hashlib
from dataclasses import astuple, dataclass
from pathlib import Path

VERDICTS = ("agree", "justified_deviation", "data_error")
REVIEWS_REFUSED = "reviews refused"
# The case list's columns a review needs, as the CSV names them and as the workbook's sheets do.
CSV_COLUMNS = ("rule_id", "patient_id", "unit_id", "provider_code", "rule_version", "evidence_sha256",
               "review_verdict", "review_reason", "reviewed_by_role")
WORKBOOK_COLUMNS = dict(zip(("rule", "patient pseudonym", "unit", "provider", "rule version", "evidence sha256",
                             "review verdict", "review reason", "reviewed by role"), CSV_COLUMNS))
REVIEW_TABLE_COLUMNS = """(file_name varchar, file_row bigint, location varchar, provider_code varchar,
    rule_id varchar, patient_id varchar, unit_id varchar, rule_version varchar, evidence_sha256 varchar,
    review_verdict varchar, review_reason varchar, reviewed_by_role varchar)"""


class ReviewsRefused(Exception):
    """A reviews file the run cannot use; the message is the one-line reason."""


@dataclass(frozen=True)
class Review:
    file_name: str
    file_row: int        # the row's line (CSV, header = 1) or row number in its sheet (workbook, header = 1)
    location: str        # "row 7" or "sheet 1.3.1 row 7": where the team finds it
    provider_code: str
    rule_id: str
    patient_id: str
    unit_id: str
    rule_version: str
    evidence_sha256: str
    review_verdict: str
    review_reason: str
    reviewed_by_role: str


@dataclass(frozen=True)
class ReviewsFile:
    name: str
    path: str
    sha256: str
    reviews: int


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a number typed into Excel: 3.0 is version 3
    return str(value).strip()


def _csv_rows(path: Path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        missing = [c for c in CSV_COLUMNS if c not in header]
        if missing:
            raise ReviewsRefused(f"{REVIEWS_REFUSED}: {path.name} has no column {missing[0]}: return a provider's "
                                 "non_adherent_cases.csv or .xlsx as the audit wrote it, with the review columns filled in")
        positions = {c: header.index(c) for c in CSV_COLUMNS}
        for line, row in enumerate(reader, start=2):
            yield f"row {line}", line, {c: _text(row[i]) if i < len(row) else "" for c, i in positions.items()}


def _workbook_rows(path: Path):
    from openpyxl import load_workbook  # read only: the file is never written

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises several kinds for a file that is not a workbook
        raise ReviewsRefused(f"{REVIEWS_REFUSED}: {path.name} is not a readable Excel workbook") from None
    try:
        case_sheets = 0
        for sheet in book.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = [_text(h) for h in next(rows, ())]
            if "patient pseudonym" not in header:
                continue  # the summary sheet
            case_sheets += 1
            missing = [c for c in WORKBOOK_COLUMNS if c not in header]
            if missing:
                raise ReviewsRefused(f"{REVIEWS_REFUSED}: {path.name} sheet {sheet.title} has no column '{missing[0]}': "
                                     "return the workbook as the audit wrote it, with the review columns filled in")
            positions = {field: header.index(name) for name, field in WORKBOOK_COLUMNS.items()}
            for number, row in enumerate(rows, start=2):
                yield (f"sheet {sheet.title} row {number}", number,
                       {f: _text(row[i]) if i < len(row) else "" for f, i in positions.items()})
        if not case_sheets:
            raise ReviewsRefused(f"{REVIEWS_REFUSED}: {path.name} has no sheet of cases (a 'patient pseudonym' column)")
    finally:
        book.close()


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_reviews(paths: list[Path]) -> tuple[list[Review], list[ReviewsFile]]:
    """Every reviewed row (a verdict given) of every file, and the files with their hashes. Refuses a
    file that is missing, of another kind, without the review columns, with an unknown verdict, a row
    without its case, the cases of several providers, or a case reviewed twice."""
    reviews: list[Review] = []
    files: list[ReviewsFile] = []
    seen: dict[tuple[str, str, str], str] = {}
    for path in paths:
        if not path.is_file():
            raise ReviewsRefused(f"{REVIEWS_REFUSED}: reviews file not found: {path}")
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            raise ReviewsRefused(f"{REVIEWS_REFUSED}: {path.name} is neither a .csv nor an .xlsx case list")
        rows = _csv_rows(path) if suffix == ".csv" else _workbook_rows(path)
        in_file = []
        for location, number, row in rows:
            verdict = row["review_verdict"].lower()
            if not verdict:
                continue
            if verdict not in VERDICTS:
                raise ReviewsRefused(f"{REVIEWS_REFUSED}: {path.name} {location}: review_verdict '{row['review_verdict']}' "
                                     f"is not one of {', '.join(VERDICTS)}")
            for field in ("rule_id", "patient_id", "unit_id", "provider_code"):
                if not row[field]:
                    raise ReviewsRefused(f"{REVIEWS_REFUSED}: {path.name} {location}: the case's {field} is empty, so "
                                         "the review cannot be matched to a case")
            key = (row["rule_id"], row["patient_id"], row["unit_id"])
            if key in seen:
                raise ReviewsRefused(f"{REVIEWS_REFUSED}: {path.name} {location}: rule {key[0]} case {key[2]} of patient "
                                     f"{key[1]} is already reviewed in {seen[key]}; keep one review")
            seen[key] = f"{path.name} {location}"
            in_file.append(Review(path.name, number, location, row["provider_code"].upper(), *key,
                                  row["rule_version"], row["evidence_sha256"].lower(), verdict,
                                  row["review_reason"], row["reviewed_by_role"]))
        providers = sorted({r.provider_code for r in in_file})
        if len(providers) > 1:
            raise ReviewsRefused(f"{REVIEWS_REFUSED}: {path.name} holds reviews of the cases of providers "
                                 f"{', '.join(providers)}: return each provider's own case list")
        reviews += in_file
        files.append(ReviewsFile(path.name, str(path.resolve()), _file_sha256(path), len(in_file)))
    return reviews, files


def load_reviews(con, paths: list[Path]) -> dict:
    """raw.reviews (every reviewed row) and bookkeeping.review_files (each file with its hash), empty
    when the run has no reviews; raises ReviewsRefused for a file that cannot be used."""
    reviews, files = read_reviews(paths)
    con.execute("create schema if not exists raw")
    con.execute(f"create or replace table raw.reviews {REVIEW_TABLE_COLUMNS}")
    if reviews:
        con.executemany(f"insert into raw.reviews values ({', '.join('?' * 12)})", [astuple(r) for r in reviews])
    con.execute("create schema if not exists bookkeeping")
    con.execute("create or replace table bookkeeping.review_files (file_name varchar, path varchar, sha256 varchar, "
                "reviews bigint)")
    if files:
        con.executemany("insert into bookkeeping.review_files values (?, ?, ?, ?)", [astuple(f) for f in files])
    return {"files": len(files), "reviews": len(reviews)}
