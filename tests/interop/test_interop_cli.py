"""The exchange commands end to end through the CLI and the Project API."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.project import Project

runner = CliRunner()


def test_qdpx_and_qdc_round_trip_through_the_cli(demo, tmp_path):
    path = demo.url.removeprefix("sqlite:///")
    qdpx, qdc = tmp_path / "p.qdpx", tmp_path / "c.qdc"
    assert runner.invoke(app, ["export", "qdpx", path, str(qdpx)]).exit_code == 0
    assert runner.invoke(app, ["export", "qdc", path, str(qdc)]).exit_code == 0
    csv_book = tmp_path / "book.csv"
    assert runner.invoke(app, ["export", "codebook", path, str(csv_book)]).exit_code == 0
    target = tmp_path / "t.bctcoder"
    Project.create(target).close()
    out = runner.invoke(app, ["import", "qdpx", str(target), str(qdpx), "--format", "json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert report["skipped"] == []
    with Project.open(target) as t:
        assert t.info()["codings"] == demo.info()["codings"]
        assert t.summary() == demo.summary()
    mapped = runner.invoke(app, ["import", "qdc", str(target), str(qdc), "--format", "json"])
    assert json.loads(mapped.output)["created_inductive"] == 0
    again = runner.invoke(app, ["import", "codebook", str(target), str(csv_book), "--format", "json"])
    assert again.exit_code == 0, again.output


def test_bad_exchange_files_are_one_line_errors(project, tmp_path):
    path = project.url.removeprefix("sqlite:///")
    junk = tmp_path / "junk.qdpx"
    junk.write_bytes(b"not a zip")
    for args in (["import", "qdpx", path, str(junk)], ["import", "qdc", path, str(junk)],
                 ["import", "qualcoder", path, str(junk)], ["import", "taguette", path, str(junk)]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, args
        assert result.output.startswith("Error: ") and "junk.qdpx" in result.output
        assert "Traceback" not in result.output
    assert project.info()["documents"] == 0
