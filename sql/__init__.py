"""DuckDB SQL of the audit, one statement per file, grouped by stage (shipped as package data)."""
from pathlib import Path

SQL_DIR = Path(__file__).parent
