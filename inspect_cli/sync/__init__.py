"""Moving records between ledgers: bundles exported from one laptop and imported into another."""
