"""Hazards (隐患): the lifecycle state machine, the hash-chained history, moves, and batch plans."""
