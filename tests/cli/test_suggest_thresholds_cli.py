"""`bctcoder suggest --thresholds`: the decision rule is chosen on the command line and reported back."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from bctcoder.cli.main import app


@pytest.mark.slow  # over 2 s on 2 cores: CI's slow stage runs it
def test_thresholds_option_reaches_the_library_and_bad_values_fail_cleanly(tmp_path, demo_template):
    path = tmp_path / "demo.bctcoder"
    shutil.copy(demo_template, path)
    runner = CliRunner()
    ok = runner.invoke(app, ["suggest", str(path), "--suggester", "lexical.v1", "--thresholds", "none",
                             "--documents", "Demo_SP2", "-f", "json"])
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.output[ok.output.index("{"):])["thresholds"] == "none"
    bad = runner.invoke(app, ["suggest", str(path), "--thresholds", "sometimes"])
    assert bad.exit_code == 1 and "thresholds" in bad.output and "Traceback" not in bad.output
