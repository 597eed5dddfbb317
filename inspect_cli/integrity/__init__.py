"""Proving the case record untouched: `inspect verify` (verify) and seals kept outside the ledger (seal)."""
