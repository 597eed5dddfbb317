"""Which cases a hazard belongs to: what ``hazard show`` lists, without loading the case rules."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..storage.interface import Store

TABLE = "cases"


def cases_of_hazard(store: "Store", hazard_id: str) -> list[dict[str, Any]]:
    """The cases opened on a hazard, oldest first: id, stage, opened, withdrawn."""
    return [{"id": c["id"], "stage": c.get("stage"), "opened": c.get("opened"), "withdrawn": c.get("withdrawn")}
            for c in store.find(TABLE, order_by="opened", fields=("id", "hazards", "stage", "opened", "withdrawn"))
            if hazard_id in (c.get("hazards") or [])]
