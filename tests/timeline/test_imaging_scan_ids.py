"""Imaging scans are numbered once, in the timeline (scan_1, scan_2 ... in date order over all of a
patient's scans): the ids by which 1.1.5 reports its units (each PET-CT).
What 1.1.5 decides for each scan is in audit_rules/cg81_2025_02/rules/1.1.5.cases.yaml."""
import pytest

from tests.conftest import run_audit
from tests.extract_builder import Extract


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    x = Extract()
    x.patient("PET_TWO").metastatic(sites="liver").imaging(-40, "ct", "diagnosis", "suspicious") \
        .imaging(-10, "pet_ct", "staging").imaging(25, "pet_ct", "staging")
    folder = tmp_path_factory.mktemp("imaging_scan_ids")
    return run_audit(x.write(folder / "extract"), folder, upto="rules")


def test_scan_ids_are_numbered_once_in_the_timeline(run):
    assert run.failure() is None
    scans = run.query("select scan_id, modality, modality_name from timeline.imaging_scans "
                      "where patient_id = 'PET_TWO' order by scan_id")
    assert scans == [{"scan_id": "scan_1", "modality": "ct", "modality_name": "CT"},
                     {"scan_id": "scan_2", "modality": "pet_ct", "modality_name": "PET-CT"},
                     {"scan_id": "scan_3", "modality": "pet_ct", "modality_name": "PET-CT"}]
