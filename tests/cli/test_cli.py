"""The CLI through Typer's runner: init, imports, taxonomy, codes, export, demo, clean errors."""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from bctcoder.cli.main import app
from tests.conftest import write

runner = CliRunner()


def run(*args: str, ok: bool = True):
    result = runner.invoke(app, [str(a) for a in args])
    if ok:
        assert result.exit_code == 0, result.output + str(result.exception)
    return result


def test_init_info_and_taxonomy_json(tmp_path):
    path = tmp_path / "s.bctcoder"
    assert "98 techniques" in run("init", path).output
    info = json.loads(run("info", path, "--format", "json").output)
    assert info["techniques"] == 98 and info["taxonomy"] == "bcttv1+relational"
    rows = json.loads(run("taxonomy", "list", "--project", path, "--format", "json").output)
    assert len(rows) == 98
    assert {"id", "label", "group_id", "group_label", "extension"} <= set(rows[0])
    assert sum(r["extension"] for r in rows) == 5


def test_taxonomy_list_builtin_formats():
    rows = json.loads(run("taxonomy", "list", "--format", "json").output)
    assert len(rows) == 98
    only = json.loads(run("taxonomy", "list", "--taxonomy", "bcttv1", "--format", "json").output)
    assert len(only) == 93 and not any(r["extension"] for r in only)
    csv_out = run("taxonomy", "list", "--format", "csv").output.splitlines()
    assert csv_out[0] == "id,label,group_id,group_label,extension" and len(csv_out) == 99
    shown = run("taxonomy", "show", "3.1").output
    assert "Social support (unspecified)" in shown and "description" in shown


def _seed_table2(shared):
    """(number, label) pairs of the seed paper's Table 2 (93 BCTs, with the paper's own typos)."""
    text = (shared / "seed" / "000_2b51a645f57a8a3f.txt").read_text(encoding="utf-8")
    pairs = []
    for line in text.splitlines():
        m = re.match(r"^(\d{1,2})\.(\d{1,2})\t([^\t]+)", line)
        if m and m.group(2) != "0":
            pairs.append((f"{m.group(1)}.{m.group(2)}", m.group(3).strip()))
    return pairs


KNOWN_SEED_TYPOS = {  # the paper's Table 2 label -> the official BCTTv1 label
    "1.1": "Goal setting (behaviour)",            # paper: "Goal setting behaviour"
    "5.2": "Salience of consequences",             # paper: "Saliency of consequences"
    "10.9": "Self-reward",                         # paper: "Self-rewards"
    "12.3": "Avoidance/reducing exposure to cues for the behaviour",  # paper drops "the"
    "13.1": "Identification of self as role model",  # paper: "Identification as self as role model"
    "14.6": "Situation-specific reward",           # paper: "Situation specific reward"
}


def test_taxonomy_matches_seed_table2(shared):
    seed = _seed_table2(shared)
    assert len(seed) == 93
    rows = {r["id"]: r for r in json.loads(run("taxonomy", "list", "--format", "json").output)}
    assert [n for n, _ in seed] == [r for r in rows if not rows[r]["extension"]]
    for number, label in seed:
        ours = rows[number]["label"]
        if number in KNOWN_SEED_TYPOS:
            assert ours == KNOWN_SEED_TYPOS[number]
        else:
            assert ours.casefold() == label.casefold(), (number, ours, label)
    assert [rows[f"17.{i}"]["label"] for i in range(1, 6)] == [
        "Sharing experiential knowledge", "Promote reciprocity", "Promote autonomy",
        "Offer confidentiality", "Validating relationship"]


def test_full_import_flow_and_export(tmp_path, demo_data):
    path = tmp_path / "s.bctcoder"
    run("init", path)
    out = run("import", "cases", path, demo_data / "cases.csv", "--format", "json").output
    assert json.loads(out)["created"] == 8
    run("import", "partnerships", path, demo_data / "partnerships.csv")
    files = sorted((demo_data / "transcripts").glob("*.txt"))
    imported = json.loads(run("import", "transcripts", path, *files, "--format", "json").output)
    assert len(imported["imported"]) == 8
    again = run("import", "transcripts", path, files[0]).output
    assert "already imported" in again
    codings = json.loads(run("import", "codings", path, demo_data / "codings.csv", "--format", "json").output)
    assert codings["added"] > 50 and codings["rejected"] == []
    exported = run("export", "codings", path).output.splitlines()
    assert exported[0].startswith("id,document,case,role,code")
    assert len(exported) - 1 == codings["added"]
    target = tmp_path / "out.csv"
    run("export", "codings", path, target, "--coder", "coder_a")
    assert 0 < target.read_text(encoding="utf-8").count("\n") - 1 < codings["added"]
    listed = json.loads(run("codings", "list", path, "--coder", "coder_b", "--format", "json").output)
    assert listed and {r["coder"] for r in listed} == {"coder_b"}
    codes = json.loads(run("codes", "list", path, "--inductive", "--format", "json").output)
    assert {c["label"] for c in codes} >= {"Hope"}
    docs = json.loads(run("documents", path, "--format", "json").output)
    assert len(docs) == 8
    cases = json.loads(run("cases", path, "--format", "json").output)
    assert {c["role"] for c in cases} == {"PW", "SP"}


def test_promote_inductive_codes(tmp_path):
    path = tmp_path / "s.bctcoder"
    run("init", path)
    run("codes", "add", path, "Hope", "--description", "Hope for recovery")
    run("codes", "add", path, "Equal footing")
    rows = json.loads(run("codes", "promote", path, "Hope", "Equal footing", "--group", "Recovery orientation",
                          "--extension", "our-study", "--format", "json").output)
    assert [r["id"] for r in rows] == ["18.1", "18.2"]
    assert all(r["extension"] and r["group_label"] == "Recovery orientation" for r in rows)
    listed = json.loads(run("taxonomy", "list", "--project", path, "--format", "json").output)
    assert len(listed) == 100
    info = json.loads(run("info", path, "--format", "json").output)
    assert "our-study" in {t["name"] for t in info["taxonomies"]}


@pytest.mark.parametrize("args, message", [
    (("info", "{tmp}/missing.bctcoder"), "no such project"),
    (("init", "{tmp}/x.bctcoder", "--taxonomy", "nope"), "unknown taxonomy 'nope'"),
    (("import", "cases", "{proj}", "{tmp}/dup.csv"), "dup.csv, line 3: duplicate case id 'A'"),
    (("import", "transcripts", "{proj}", "{tmp}/nothing.txt"), "nothing.txt: no such file"),
    (("taxonomy", "show", "99.9"), "no technique '99.9'"),
    (("codings", "delete", "{proj}", "12345"), "no coding 12345"),
])
def test_errors_are_one_clean_line(tmp_path, args, message):
    proj = tmp_path / "p.bctcoder"
    run("init", proj)
    write(tmp_path / "dup.csv", "case,role\nA,PW\nA,SP\n")
    result = runner.invoke(app, [a.format(tmp=tmp_path, proj=proj) for a in args])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    lines = [l for l in result.output.splitlines() if l.strip()]
    assert lines[0].startswith("Error: ") and message in " ".join(lines)


@pytest.mark.slow   # builds the whole demo with its report (~15 s); CI runs it with -m slow
def test_demo_command(tmp_path):
    out = run("demo", "--out", tmp_path / "d").output
    assert "FICTIONAL" in out and "demo.bctcoder" in out
    assert (tmp_path / "d" / "demo.bctcoder").exists()
    assert "already exists" in run("demo", "--out", tmp_path / "d", ok=False).output
    run("demo", "--out", tmp_path / "d", "--force")


def test_version():
    assert run("--version").output.startswith("bctcoder ")


def test_demo_with_an_unknown_suggester_writes_nothing(tmp_path):
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "d"), "--suggester", "x.v9"])
    assert result.exit_code == 1 and "unknown suggester 'x.v9'" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "d").exists()
