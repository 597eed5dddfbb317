"""Random sequences of lifecycle commands never reach an illegal state."""
from __future__ import annotations

import datetime as dt

from hypothesis import settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from inspect_cli.hazard import moves as hz
from inspect_cli.hazard import history
from inspect_cli.hazard import lifecycle
from inspect_cli.clock import Clock
from inspect_cli.errors import IllegalTransition, ValidationFailed
from inspect_cli.settings import DEFAULTS
from inspect_cli.storage.jsonfile import MemoryStore

START = dt.date(2026, 3, 1)
TWO = [{"name": "张伟", "cert": "1"}, {"name": "李娜", "cert": "2"}]
EVIDENCE = [{"sha256": "0" * 64, "size": 1, "name": "p.png"}]
PLAN = {p: "内容" for p in lifecycle.PLAN_PARTS}


class HazardLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.store = MemoryStore({})
        self.day = 0
        self.ids: list[str] = []

    @property
    def clock(self) -> Clock:
        return Clock(START + dt.timedelta(days=self.day), dt.timezone.utc)

    def attempt(self, f, *args):
        """Run a move; a refusal must leave the hazard exactly as it was."""
        hid = args[0]
        before = dict(self.store.get("hazards", hid))
        try:
            f(self.store, *args)
        except (IllegalTransition, ValidationFailed):
            assert self.store.get("hazards", hid) == before

    @rule(severity=st.sampled_from(["general", "major"]))
    def register(self, severity):
        h = hz.register(self.store, {"site": "S", "severity": severity, "item": "X",
                                     "deadline": (self.clock.today + dt.timedelta(days=7)).isoformat()},
                        self.clock, "t")
        self.ids.append(h["id"])

    @rule(days=st.integers(1, 20))
    def time_passes(self, days):
        self.day += days

    @rule(data=st.data())
    def plan(self, data):
        if self.ids:
            self.attempt(lambda s, h: hz.plan(s, h, PLAN, self.clock, "t"), data.draw(st.sampled_from(self.ids)))

    @rule(data=st.data(), days=st.integers(-3, 30))
    def extend(self, data, days):
        if self.ids:
            to = (self.clock.today + dt.timedelta(days=days)).isoformat()
            self.attempt(lambda s, h: hz.extend(s, h, to, "理由", self.clock, "t"), data.draw(st.sampled_from(self.ids)))

    @rule(data=st.data())
    def fixed(self, data):
        if self.ids:
            self.attempt(lambda s, h: hz.fixed(s, h, "", [], self.clock, "t"), data.draw(st.sampled_from(self.ids)))

    @rule(data=st.data(), result=st.sampled_from(["pass", "fail"]), two=st.booleans(), evidence=st.booleans())
    def reinspect(self, data, result, two, evidence):
        if self.ids:
            people = TWO if two else TWO[:1]
            self.attempt(lambda s, h: hz.reinspect(s, h, result, people, "", EVIDENCE if evidence else [], None,
                                                   self.clock, "t", DEFAULTS), data.draw(st.sampled_from(self.ids)))

    @invariant()
    def states_are_legal_and_histories_verify(self):
        for hid in self.ids:
            h = self.store.get("hazards", hid)
            assert h["status"] in lifecycle.STATES
            events = history.events_of(self.store, hid)
            assert history.verify_chain(h, events, lifecycle.replay) == []
            if h["status"] == "closed":
                last = h["reinspections"][-1]
                assert last["result"] == "pass"
                if h["severity"] == "major":
                    assert last["evidence"] and len(last["inspectors"]) >= 2
            if h["status"] == "planned":
                assert h["severity"] == "major" and h["plan"]


TestHazardLifecycle = HazardLifecycle.TestCase
TestHazardLifecycle.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
