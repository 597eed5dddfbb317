"""Administrative cases (行政处罚案件): from a hazard or a failed re-inspection to 结案.

- :mod:`.machine` — the stages of 《安全生产执法程序规定》 as a pure projection of events;
- :mod:`.records` — cases in the ledger (tables ``cases`` and ``case_events``), queries, verify;
- :mod:`.rates` — 立案率, 立案处罚率, 处罚执行率 and amounts, for ``stats`` and the bulletin;
- :mod:`.documents` — the 立案审批表 and the 行政处罚决定书.

See docs/cases.md.
"""
