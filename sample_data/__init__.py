"""The bundled synthetic extract (CSV files in extract/) and its seeded generator (this package).

The extract has a folder of its own, as a trust's would: only its tables are in it."""
from pathlib import Path

SAMPLE_DATA_DIR = Path(__file__).parent / "extract"
