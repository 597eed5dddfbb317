"""Inspections (检查): which items apply, what an answer means, and recording a visit's answers."""
