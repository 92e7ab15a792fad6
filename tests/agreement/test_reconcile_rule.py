"""Reconciliation as the README shows it (issue #12): decisions plus the agreements make the consensus, and
after reconciling, the default tables no longer count what the team decided against."""

from __future__ import annotations

import pytest

import csv


@pytest.mark.slow  # over 2 s on 2 cores: CI's slow stage runs it
def test_readme_reconciliation_yields_agreements_plus_decisions_and_reports_follow_them(demo, tmp_path):
    items = demo.disagreements("coder_a", "coder_b")
    assert ("Demo_SP3", "10.4") in {(d["document"], d["code"]) for d in items}
    both_coded = demo.summary(coders=["coder_a"])["supported"], demo.summary(coders=["coder_b"])["supported"]
    before = demo.table2().set_index("id")
    assert before.loc["10.4", "category"] == "SP only"      # only Demo_SP3, only coder_b or coder_a
    path = tmp_path / "decisions.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["document", "code", "decision"])
        for d in items:   # the team keeps everything except 10.4 in Demo_SP3
            writer.writerow([d["document"], d["code"], "none" if (d["document"], d["code"]) == ("Demo_SP3", "10.4")
                             else "both"])
    result = demo.apply_decisions("coder_a", "coder_b", path)
    assert result["applied"] == len(items) and result["agreements_kept"] > 0
    consensus = demo.summary(coders=["consensus"])["supported"]
    union = demo.summary()["supported"]
    # every technique either coder evidenced survives except the one decided against
    assert consensus >= max(both_coded) and consensus == union
    after = demo.table2().set_index("id")
    assert after.loc["10.4", "SP"] == "No"                   # decided "none": gone from the default table
    assert after.drop(index="10.4")["category"].equals(before.drop(index="10.4")["category"])
