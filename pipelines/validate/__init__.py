"""Validation stage (see assets.py)."""

# Prefix of a blocking validation failure's one-line reason (outputs.md: the extract is refused).
VALIDATION_REFUSAL = "Extract refused at validation"
