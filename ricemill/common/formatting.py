"""Kept for older imports: the words of quantities and dates now live in `common/words.py`."""

from .words import day as date_text
from .words import kg_number as kg_text

__all__ = ["date_text", "kg_text"]
