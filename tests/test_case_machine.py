"""Random sequences of case moves: every stage reached is legal, every refusal changes nothing,
and every history replays to the case record and verifies."""
from __future__ import annotations

import datetime as dt

from hypothesis import event, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from inspect_cli.hazard import moves as hz
from inspect_cli.hazard import history
from inspect_cli.case import machine, records
from inspect_cli.case.records import OpenRequest
from inspect_cli.clock import Clock
from inspect_cli.errors import IllegalTransition, ValidationFailed
from inspect_cli.settings import DEFAULTS
from inspect_cli.storage.jsonfile import MemoryStore

START = dt.date(2026, 3, 1)
TWO = [{"name": "张伟", "cert": "1"}, {"name": "李娜", "cert": "2"}]
ART = "《中华人民共和国安全生产法》第一百零二条"
BASIS = [{"citation": "《中华人民共和国安全生产法》第四十一条", "clause": "第四十一条"}]
PENALTIES = st.lists(st.sampled_from(sorted(machine.PENALTY_TYPES)), min_size=0, max_size=2)
AMOUNTS = st.one_of(st.none(), st.sampled_from([0, 1000, 20000, 49999, 50000, 120000]))
# mostly valid penalties, so that random runs reach 决定, 送达, 执行 and 结案
SENSIBLE = st.sampled_from([(["fine"], 20000), (["fine"], 50000), (["warning"], None), (["warning", "fine"], 3000),
                            (["fine", "suspension"], 10000), (["fine"], 10000)])


class CaseLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.store = MemoryStore({})
        self.day = 0
        self.cases: list[str] = []
        self.hazards: list[str] = []
        self.hazard_states: dict[str, dict] = {}

    @property
    def clock(self) -> Clock:
        return Clock(START + dt.timedelta(days=self.day), dt.timezone.utc)

    def attempt(self, cid: str, move: str, args: dict) -> None:
        """A move either succeeds where the machine allowed it, or is refused changing nothing."""
        before = self.store.get("cases", cid)
        allowed = machine.allowed_moves(before, DEFAULTS, self.clock.today)
        try:
            after = records.MOVE_FUNCTIONS[move](self.store, cid, args, [], self.clock, "t", DEFAULTS)
        except IllegalTransition as e:
            assert move not in allowed
            assert self.store.get("cases", cid) == before
            assert "Allowed moves:" in str(e)
            return
        except ValidationFailed:
            assert self.store.get("cases", cid) == before
            return
        assert move in allowed
        assert after["events"] == before["events"] + 1

    @rule()
    def register_hazard(self):
        h = hz.register(self.store, {"site": "S", "site_name": "某厂", "severity": "general", "item": "X",
                                     "description": "问题", "basis": BASIS,
                                     "deadline": (self.clock.today + dt.timedelta(days=3)).isoformat()},
                        self.clock, "t")
        self.hazards.append(h["id"])

    @rule(data=st.data(), two=st.booleans())
    def open(self, data, two):
        if not self.hazards:
            return
        hid = data.draw(st.sampled_from(self.hazards))
        try:
            c = records.open_case(self.store, OpenRequest(handlers=TWO if two else TWO[:1], hazards=[hid]),
                                  self.clock, "t")
        except ValidationFailed:
            return
        assert two
        self.cases.append(c["id"])

    @rule(days=st.integers(1, 12))
    def time_passes(self, days):
        self.day += days

    @rule(data=st.data(), move=st.sampled_from(sorted(machine.MOVES)), types=PENALTIES, amount=AMOUNTS,
          flag=st.booleans(), how=st.sampled_from(sorted(machine.EXECUTION)))
    def move(self, data, move, types, amount, flag, how):
        if not self.cases:
            return
        cid = data.draw(st.sampled_from(self.cases))
        args = {"note": "询问笔录", "types": types, "amount": amount, "text": "陈述", "held": flag,
                "no_penalty": flag and move == "decide" and not types, "reason": "违法事实不能成立",
                "method": "直接送达", "how": how, "basis": ART if flag else ""}
        self.attempt(cid, move, args)

    @rule(data=st.data(), penalty=SENSIBLE, lighter=st.booleans())
    def next_step(self, data, penalty, lighter):
        """The next step a diligent officer would take, with valid arguments."""
        if not self.cases:
            return
        cid = data.draw(st.sampled_from(self.cases))
        c = self.store.get("cases", cid)
        types, amount = penalty
        if c["stage"] == "notified" and c["notice"]:
            types, amount = c["notice"]["types"], c["notice"]["amount"]
            if lighter and amount:
                amount = amount // 2
        move = {"filed": "investigate", "investigating": "notify", "notified": "decide", "decided": "serve",
                "served": "execute" if machine.needs_execution(c) else "close", "executed": "close"}.get(c["stage"])
        if move == "decide" and "decide" not in machine.allowed_moves(c, DEFAULTS, self.clock.today):
            move = "hearing" if "hearing" in machine.allowed_moves(c, DEFAULTS, self.clock.today) else "statement"
        if move:
            self.attempt(cid, move, {"note": "询问笔录", "types": types, "amount": amount, "text": "陈述",
                                     "held": lighter, "method": "邮寄送达", "how": "paid", "basis": ART})

    @invariant()
    def stages_are_legal_and_histories_verify(self):
        for cid in self.cases:
            c = self.store.get("cases", cid)
            assert c["stage"] in machine.STAGES
            event(f"stage {c['stage']}")
            events = records.events_of(self.store, cid)
            assert history.verify_chain(c, events, machine.replay) == []
            d, n = c["decision"], c["notice"]
            if c["stage"] in ("decided", "served", "executed") or (c["stage"] == "closed" and not c["withdrawn"]):
                assert d and n, "a decision needs a notice first"
                assert set(d["types"]) <= set(n["types"]) and d["amount"] <= n["amount"], "never heavier than notified"
            if c["stage"] == "executed" or c["execution"]:
                assert machine.needs_execution(c)
            if c["stage"] == "closed" and not c["withdrawn"] and machine.needs_execution(c):
                assert c["execution"], "a penalty is carried out before 结案"
            if c["withdrawn"]:
                assert not d
        active = {h for cid in self.cases for h in self.store.get("cases", cid)["hazards"]
                  if not self.store.get("cases", cid)["withdrawn"]}
        assert len(active) == sum(1 for cid in self.cases if not self.store.get("cases", cid)["withdrawn"]), \
            "a hazard is in one case at a time (一事不再罚)"
        assert records.verify(self.store, set(self.hazards))[2] == []

    @invariant()
    def hazards_are_never_changed_by_cases(self):
        for hid in self.hazards:
            h = self.store.get("hazards", hid)
            assert h["events"] == 1 and h["status"] == "open"


TestCaseLifecycle = CaseLifecycle.TestCase
TestCaseLifecycle.settings = settings(max_examples=80, stateful_step_count=40, deadline=None)
