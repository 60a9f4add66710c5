"""Imports go one way (issue 15): a stage imports only earlier stages and the shared modules, shared
modules import no stage, the rule catalogue imports no stage, and only the CLI (and tests) import
the Dagster definitions. Read from the source, so that a function-level import counts too."""
import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STAGES = ["ingest", "validate", "timeline", "rules", "measures", "reports"]


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _stages_imported(path: Path) -> set[str]:
    return {name.split(".")[1] for name in _imports(path)
            if name.startswith("pipelines.") and name.split(".")[1] in STAGES}


def test_a_stage_imports_only_earlier_stages():
    for position, stage in enumerate(STAGES):
        for path in sorted((REPO / "pipelines" / stage).glob("*.py")):
            later = _stages_imported(path) & set(STAGES[position + 1:])
            assert not later, f"{path.relative_to(REPO)} imports a later stage: {sorted(later)}"


def test_shared_modules_and_the_catalogue_import_no_stage():
    shared = [p for p in (REPO / "pipelines").glob("*.py") if p.stem not in ("definitions", "cli")]
    shared += [p for p in (REPO / "audit_rules").glob("*.py")]
    assert any(p.stem == "resources" for p in shared) and any(p.stem == "contract" for p in shared)
    for path in shared:
        # `abc-audit diff` compares published outputs: it reads the reports stage's file layout
        allowed = {"reports"} if path.stem == "diff" else set()
        assert _stages_imported(path) <= allowed, f"{path.relative_to(REPO)} imports {sorted(_stages_imported(path))}"


def test_only_the_cli_imports_the_definitions():
    importers = sorted(str(p.relative_to(REPO)) for folder in ("pipelines", "audit_rules", "dashboards", "sample_data")
                       for p in (REPO / folder).rglob("*.py") if any(
                           name.startswith("pipelines.definitions") for name in _imports(p)))
    assert importers == ["pipelines/cli.py"]
