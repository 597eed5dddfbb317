"""Analysis: statistics, gates on them, and the data-quality audit."""
