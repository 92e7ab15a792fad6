"""The same project on PostgreSQL (the machines start one at 127.0.0.1:5432 with trust auth): migrations up to
head, the gate's rules (undo with row versions, server-side sessions) and ids never reused.

Set ``BCTCODER_TEST_POSTGRES`` to another server URL to use it; CI fails here, it does not skip, when
PostgreSQL is missing."""

from __future__ import annotations

import pytest

from bctcoder.access.roles import Actor, Role
from bctcoder.errors import ConflictError
from bctcoder.project import Project


def test_gate_on_postgresql(pg_url, tmp_path):
    (tmp_path / "cases.csv").write_text("case,role\nPW1,PW\n", encoding="utf-8")
    (tmp_path / "PW1.txt").write_text("Interviewer: How was it?\nPW1: We made a plan together and it helped.\n",
                                      encoding="utf-8")
    with Project.create(pg_url, user="olga") as p:
        assert p.info()["schema"] == "0008"
        p.import_cases(tmp_path / "cases.csv")
        p.import_transcripts([tmp_path / "PW1.txt"])
        ann = p.acting_as(Actor("ann", Role.CODER))
        first = ann.add_coding("PW1", 30, 50, "1.1")
        ann.delete_coding(first["id"])
        second = p.add_coding("PW1", 30, 50, "1.2")
        assert second["id"] != first["id"]
        assert ann.undo()["undone"] == "coding.delete"          # restores ann's coding under its own id
        p.update_coding(first["id"], memo="owner's note")
        with pytest.raises(ConflictError):
            ann.undo()                                           # the owner changed it since
        token, _csrf = p.access.start_owner_session()
        assert p.access.session(token)[0].name == "olga"
        p.access.sign_out(token)
        with pytest.raises(Exception, match="not signed in"):
            p.access.session(token)
