"""The storage contract: every backend must pass these (run against each one)."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st_

from inspect_cli.errors import LedgerError
from inspect_cli.storage import open_backend

from pgserver import fresh_database

# "tinydb-files": the TinyDB backend with every table of more than one record kept in bucket
# files of a few hundred bytes (storage/tablefiles.py), so that the contract also covers a
# large ledger's layout: spilling, several buckets per table, cutting and the indexes.
BACKENDS = ["tinydb", "tinydb-files", "sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def backend(request, tmp_path, monkeypatch):
    if request.param == "postgresql":
        return open_backend(fresh_database(request))
    if request.param == "tinydb-files":
        from inspect_cli.storage import tablefiles

        monkeypatch.setattr(tablefiles, "INLINE_MAX", 10)
        monkeypatch.setattr(tablefiles, "BUCKET_BYTES", 400)
    suffix = ".sqlite" if request.param == "sqlite" else ".json"
    return open_backend(tmp_path / f"ledger{suffix}", request.param.split("-")[0])


def hazard(i: int, **kw):
    base = {"id": f"H-{i:05d}", "site": f"S{i % 3}", "severity": "major" if i % 2 else "general",
            "status": "open", "deadline": f"2026-01-{1 + i % 28:02d}", "description": f"隐患 {i}"}
    base.update(kw)
    return base


def test_new_ledger_reads_empty(backend):
    with backend.read() as st:
        assert st.find("hazards") == []
        assert st.count("hazards") == 0
        assert st.get("hazards", "H-1") is None


def test_put_get_roundtrip_keeps_unicode_and_nesting(backend):
    rec = hazard(1, basis=[{"citation": "《工贸企业重大事故隐患判定标准》第十一条（三）"}], evidence=[], unit=None)
    with backend.write() as st:
        st.put("hazards", rec["id"], rec)
    with backend.read() as st:
        assert st.get("hazards", rec["id"]) == rec


def test_put_replaces(backend):
    with backend.write() as st:
        st.put("hazards", "H-1", hazard(1))
        st.put("hazards", "H-1", hazard(1, status="closed"))
    with backend.read() as st:
        assert st.get("hazards", "H-1")["status"] == "closed"
        assert st.count("hazards") == 1


def test_exception_in_write_changes_nothing(backend):
    with backend.write() as st:
        st.put("hazards", "H-1", hazard(1))
    with pytest.raises(RuntimeError):
        with backend.write() as st:
            st.put("hazards", "H-2", hazard(2))
            st.put("hazards", "H-1", hazard(1, status="closed"))
            raise RuntimeError("boom")
    with backend.read() as st:
        assert st.get("hazards", "H-2") is None
        assert st.get("hazards", "H-1")["status"] == "open"


def test_put_many_and_count(backend):
    with backend.write() as st:
        st.put_many("hazards", [(h["id"], h) for h in map(hazard, range(50))])
    with backend.read() as st:
        assert st.count("hazards") == 50
        assert st.count("hazards", {"severity": "major"}) == 25


@pytest.mark.parametrize("where, expected", [
    ({"site": "S1"}, lambda h: h["site"] == "S1"),
    ({"status": ("in", ["open", "fixed"])}, lambda h: h["status"] in ("open", "fixed")),
    ({"status": ("not in", ["open"])}, lambda h: h["status"] != "open"),
    ({"deadline": ("<", "2026-01-10")}, lambda h: h["deadline"] < "2026-01-10"),
    ({"deadline": ("<=", "2026-01-10")}, lambda h: h["deadline"] <= "2026-01-10"),
    ({"deadline": (">", "2026-01-20")}, lambda h: h["deadline"] > "2026-01-20"),
    ({"deadline": (">=", "2026-01-20")}, lambda h: h["deadline"] >= "2026-01-20"),
    ({"deadline": ("between", ("2026-01-05", "2026-01-07"))}, lambda h: "2026-01-05" <= h["deadline"] <= "2026-01-07"),
    ({"severity": ("!=", "major")}, lambda h: h["severity"] != "major"),
    ({"severity": "major", "site": "S2", "deadline": ("<", "2026-01-15")},
     lambda h: h["severity"] == "major" and h["site"] == "S2" and h["deadline"] < "2026-01-15"),
    ({"description": "隐患 7"}, lambda h: h["description"] == "隐患 7"),
])
def test_find_conditions(backend, where, expected):
    rows = [hazard(i, status=("open", "fixed", "closed")[i % 3]) for i in range(60)]
    with backend.write() as st:
        st.put_many("hazards", [(h["id"], h) for h in rows])
    with backend.read() as st:
        got = sorted(h["id"] for h in st.find("hazards", where))
        assert got == sorted(h["id"] for h in rows if expected(h))
        assert st.count("hazards", where) == len(got)


def test_missing_field_never_matches_a_comparison(backend):
    with backend.write() as st:
        st.put("hazards", "H-1", {"id": "H-1", "status": "open"})
    with backend.read() as st:
        assert st.find("hazards", {"deadline": ("<", "2099-01-01")}) == []


def test_order_limit_offset(backend):
    rows = [hazard(i) for i in range(30)]
    with backend.write() as st:
        st.put_many("hazards", [(h["id"], h) for h in rows])
    with backend.read() as st:
        asc = [h["id"] for h in st.find("hazards", order_by="deadline")]
        expected = [h["id"] for h in sorted(rows, key=lambda h: h["deadline"])]
        assert [st.get("hazards", i)["deadline"] for i in asc] == sorted(h["deadline"] for h in rows)
        page = st.find("hazards", order_by="id", limit=5, offset=10)
        assert [h["id"] for h in page] == sorted(h["id"] for h in rows)[10:15]
        desc = st.find("hazards", order_by="id", descending=True, limit=3)
        assert [h["id"] for h in desc] == sorted((h["id"] for h in rows), reverse=True)[:3]
        assert len(expected) == 30


def test_meta_roundtrip(backend):
    with backend.write() as st:
        meta = st.meta()
        assert meta.get("schema") == 1
        st.set_meta(dict(meta, note="x"))
    with backend.read() as st:
        assert st.meta()["note"] == "x"


def test_events_found_by_subject_in_order(backend):
    with backend.write() as st:
        for seq in (3, 1, 2):
            st.put("events", f"E-{seq}", {"id": f"E-{seq}", "subject": "H-1", "seq": seq})
        st.put("events", "E-9", {"id": "E-9", "subject": "H-2", "seq": 1})
    with backend.read() as st:
        assert [e["seq"] for e in st.find("events", {"subject": "H-1"}, order_by="seq")] == [1, 2, 3]


def test_a_file_of_another_program_is_refused_and_untouched(backend):
    if backend.name == "postgresql":  # a database has no file: another program's tables in our schema
        import psycopg

        with psycopg.connect(backend.url, autocommit=True) as conn:
            conn.execute("CREATE SCHEMA inspect; CREATE TABLE inspect.other (x int); INSERT INTO inspect.other VALUES (1)")
        with pytest.raises(LedgerError) as e:
            with backend.write() as st:
                st.put("hazards", "H-1", hazard(1))
        assert backend.path in str(e.value)
        with psycopg.connect(backend.url) as conn:
            assert conn.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'inspect'"
                                ).fetchall() == [("other",)]
        return
    path = Path(backend.path)
    path.write_bytes(b"this is not a ledger\n" * 10)
    before = path.read_bytes()
    with pytest.raises(LedgerError) as e:
        with backend.write() as st:
            st.put("hazards", "H-1", hazard(1))
    assert str(path) in str(e.value)
    assert path.read_bytes() == before


def test_find_with_fields_returns_at_least_those_fields(backend):
    rows = [hazard(i, basis=[{"clause": "第十一条"}], closed=bool(i % 2), score=1.5) for i in range(5)]
    rows[0].pop("site")
    with backend.write() as st:
        st.put_many("hazards", [(h["id"], h) for h in rows])
    with backend.read() as st:
        got = st.find("hazards", {"severity": "major"}, order_by="id", fields=("id", "site", "basis", "closed", "score"))
    expected = [h for h in rows if h["severity"] == "major"]
    assert [g["id"] for g in got] == [h["id"] for h in expected]
    for g, h in zip(got, expected):
        for f in ("id", "site", "basis", "closed", "score"):
            assert g.get(f) == h.get(f)
            assert (f in g) == (f in h)


def test_count_by_groups_like_the_reference(backend):
    """count_by is GROUP BY on every backend: the same groups as counting the records in Python,
    on indexed columns and on fields only in the JSON, with missing fields as None."""
    from inspect_cli.storage.interface import count_records

    recs = [hazard(i, status=("open", "closed", "fixed")[i % 3], item=None if i % 5 == 0 else f"I-{i % 4}",
                   extra=[i % 2] if i % 7 else None) for i in range(60)]
    for r in recs[::9]:
        del r["severity"]
    with backend.write() as st:
        st.put_many("hazards", [(r["id"], r) for r in recs])
    with backend.read() as st:
        for by, where, distinct in [(("severity", "status"), None, None), (("item",), {"status": "open"}, None),
                                    (("extra", "severity"), {"deadline": ("<", "2026-01-15")}, None),
                                    (("item",), None, "site"), ((), {"status": "fixed"}, None),
                                    (("status",), {"status": "gone"}, None)]:
            expected = count_records([r for r in recs if all(
                (r.get(k) == v if not isinstance(v, tuple) else (r.get(k) is not None and r[k] < v[1]))
                for k, v in (where or {}).items())], by, distinct)
            assert st.count_by("hazards", by, where, distinct) == expected, (by, where, distinct)
        assert st.count_by("nothing", ("a",)) == {}


# Values that Python's equality and JSON treat differently: 1, 1.0 and True are one group in
# Python, "[]" is the JSON text of []; None and a missing field are both None.
_VALUES = ["open", "closed", "", "[]", "1", "true", 1, 1.0, 2, 0, 0.5, True, False, None, [], [1], ["a", 1],
           {"k": "v"}, [{"k": 1}], "隐患"]
_FIELDS = ("status", "item", "x", "kind", "hazards")  # columns on some backends, JSON on the others
_RUN = iter(range(10**9))


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=st_.lists(st_.dictionaries(st_.sampled_from(_FIELDS), st_.sampled_from(_VALUES)), max_size=12),
       by=st_.lists(st_.sampled_from(_FIELDS), max_size=3, unique=True),
       distinct=st_.one_of(st_.none(), st_.sampled_from(_FIELDS + ("id",))),
       table=st_.sampled_from(["hazards", "inspections"]),
       only=st_.one_of(st_.none(), st_.sampled_from(_VALUES)))
def test_count_by_is_the_reference_tally_of_any_records(backend, rows, by, distinct, table, only):
    """Whatever the fields hold (numbers, booleans, lists, strings spelling JSON, nothing),
    count_by gives exactly what counting the matching records in Python gives. (Mappings have
    one key here: a server's JSON type keeps a mapping's keys in its own order.)"""
    from inspect_cli.storage.interface import count_records, matches

    run = next(_RUN)
    recs = [dict(r, id=f"R{run}-{i:03d}", run=run) for i, r in enumerate(rows)]
    with backend.write() as st:
        st.put_many(table, [(r["id"], r) for r in recs])
    where = {"run": run} if only is None else {"run": run, "status": only}
    with backend.read() as st:
        expected = count_records([r for r in recs if matches(r, where)], tuple(by), distinct)
        assert st.count_by(table, tuple(by), where, distinct) == expected


def test_iter_records_reads_every_record_in_batches(backend):
    from inspect_cli.storage.interface import iter_records

    recs = [hazard(i) for i in range(25)]
    with backend.write() as st:
        st.put_many("hazards", [(r["id"], r) for r in reversed(recs)])
    with backend.read() as st:
        got = list(iter_records(st, "hazards", batch=4))
        assert got == recs
        light = list(iter_records(st, "hazards", {"site": "S1"}, fields=("site",), batch=3))
        assert [r["id"] for r in light] == [r["id"] for r in recs if r["site"] == "S1"]
        assert all(r["site"] == "S1" for r in light)
