"""Sites (被检查单位) in the ledger: add one, import a CSV all-or-nothing."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..clock import Clock
from ..errors import ValidationFailed
from .data import normalise_site, read_sites_csv
from ..storage.interface import Store


def add_site(store: Store, raw: dict[str, Any], clock: Clock) -> dict[str, Any]:
    site = normalise_site(raw)
    existing = store.get("sites", site["code"])
    if existing is not None:
        raise ValidationFailed(f"site {site['code']} is already in the ledger ({existing['name']}); codes are unique")
    site["added"] = clock.today.isoformat()
    store.put("sites", site["code"], site)
    return site


def import_sites(store: Store, csv_path: Path, skip_invalid: bool, clock: Clock) -> dict[str, Any]:
    """Validate every row first; import nothing if any row fails, unless ``skip_invalid``."""
    good, bad = read_sites_csv(csv_path)
    fresh = []
    for line, site in good:
        if store.get("sites", site["code"]) is not None:
            bad.append((line, f"site {site['code']} is already in the ledger"))
        else:
            fresh.append(site)
    bad.sort()
    if bad and not skip_invalid:
        raise ValidationFailed(f"{csv_path}: {len(bad)} bad row(s); nothing was imported "
                               "(fix them, or use --skip-invalid to import the good rows)",
                               [f"row {n}: {msg}" for n, msg in bad])
    for site in fresh:
        site["added"] = clock.today.isoformat()
    store.put_many("sites", [(s["code"], s) for s in fresh])
    return {"imported": len(fresh), "skipped": [{"row": n, "problem": m} for n, m in bad]}
