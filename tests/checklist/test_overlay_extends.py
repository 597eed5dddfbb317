"""An overlay whose ``extends`` is not text is a problem to report, never a crash (found by fuzzing)."""
from __future__ import annotations

from inspect_cli.checklist.loader import problems_of

from .helpers import resolver


def test_an_overlay_with_an_empty_extends_is_reported_not_crashed(tmp_path):
    overlay = tmp_path / "local.yaml"
    overlay.write_text("id: local-dust\nversion: 1\nextends:\ntitle: 本地检查表\ndomain: dust_explosion\n"
                       "sections:\n- id: GEN\n  items:\n  - id: X1\n    text: 问题\n    type: yes_no\n"
                       "    severity: general\n    basis:\n    - source: GEN\n      clause: 第一条\n",
                       encoding="utf-8")
    problems, checklist = problems_of(overlay, resolver())
    assert checklist is None
    assert f"{overlay}:3: extends: extends must be the id of the base checklist (text)" in problems
