"""The bundled synthetic extract (CSV files in this folder) and its seeded generator."""
from pathlib import Path

SAMPLE_DATA_DIR = Path(__file__).parent
