"""User text reaches the terminal literally: no Rich markup, emoji codes or highlighting is applied to it.

A project whose quotes, code labels, memos, case attributes, document and path names contain ``[…]``,
``[/bold]`` and ``[link=…]`` is listed by every printing command; the output must hold those strings verbatim
(issue #12: quotes lost ``[ethnographic data archive]``, a code named ``99.9 [/bold]`` crashed with a
``MarkupError``).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bctcoder.cli.errors import friendly
from bctcoder.cli.main import app
from bctcoder.errors import BctcoderError
from bctcoder.project import Project
from tests.conftest import write

ARCHIVE = "[ethnographic data archive]"
CLOSER = "[/bold]"
LINK = "[link=https://x.example]click[/link]"
EMOJI = ":thumbs_up:"
QUOTE = f"answer with {ARCHIVE} and {CLOSER} and {LINK} in it {EMOJI}"
ANSWER = f"{QUOTE}."
LABEL = "Odd [/bold] code [b]label[/b]"
MEMO = "memo [red]not red[/red] [/]"
SETTING = "[/bold] ward [i]"
SP_DOC = "SP1 [draft]"
CODER = "B [x]"

# Terminal wide enough that no table cell of this small project is folded.
runner = CliRunner(env={"COLUMNS": "250", "LINES": "50", "TERM": "xterm"})


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("lit") / "study [x]"
    folder.mkdir()
    path = folder / "s[b]x.bctcoder"
    cases = write(folder / "cases.csv", f"case,role,setting\nPW1,PW,{SETTING}\nSP1,SP,plain\n")
    pw = write(folder / "PW1.txt", f"Interviewer: question?\nPW1: {ANSWER}\n")
    sp = write(folder / f"{SP_DOC}.txt", f"Interviewer: and you?\nSP1: I said {ARCHIVE} too.\n")
    with Project.create(path, user="tester") as p:
        p.import_cases(cases)
        p.import_transcripts([pw])
        p.import_transcripts([sp], case="SP1")
        p.add_inductive_code(LABEL)
        text = p.document_text("PW1")
        start = text.index("answer")
        end = text.index(EMOJI) + len(EMOJI)
        p.add_coding("PW1", start, end, LABEL, memo=MEMO, exemplar=True)
        p.add_coding("PW1", start, end, "3.1")
        sp_text = p.document_text(SP_DOC)
        p.add_coding(SP_DOC, sp_text.index(ARCHIVE), sp_text.index(ARCHIVE) + len(ARCHIVE), "3.1")
        p.add_coding("PW1", start, end, "1.1", origin="suggested", confidence=0.5)
        p.add_coding("PW1", start, start + 20, "3.1", coder=CODER)
    return str(path)


def run(*args: str) -> str:
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output and "MarkupError" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 0, result.output
    return result.output


PRINTING = [
    (("codings", "list", "{p}"), [QUOTE, LABEL, SP_DOC]),
    (("codings", "list", "{p}", "--format", "csv"), [QUOTE, LABEL]),
    (("info", "{p}"), ["{p}"]),
    (("cases", "{p}"), [SETTING]),
    (("documents", "{p}"), [SP_DOC]),
    (("events", "{p}"), [LABEL]),
    (("codes", "list", "{p}"), [LABEL]),
    (("codes", "list", "{p}", "--inductive", "--format", "csv"), [LABEL]),
    (("taxonomy", "show", LABEL, "--project", "{p}"), [LABEL]),
    (("report", "quotes", "{p}"), [QUOTE, LABEL]),
    (("report", "quotes", "{p}", "--format", "md"), [ARCHIVE, LABEL]),
    (("report", "table1", "{p}"), [SETTING]),
    (("report", "table2", "{p}", "--by", "setting"), [SETTING]),
    (("report", "coverage", "{p}"), [LABEL, SP_DOC]),
    (("report", "fit", "{p}"), [LABEL]),
    (("suggestions", "{p}"), [QUOTE]),
    (("export", "codings", "{p}"), [QUOTE, LABEL, MEMO]),
    (("agreement", "{p}", "--coders", f"tester,{CODER}"), ["Pooled agreement"]),
    (("reconcile", "{p}", "--coders", f"tester,{CODER}"), [f"between tester and {CODER}", f"┃ {CODER} ", QUOTE, LABEL]),
]


def _id(args: tuple[str, ...]) -> str:
    return " ".join(a for a in args if a != "{p}")


@pytest.mark.parametrize("args, expected", PRINTING, ids=[_id(a) for a, _ in PRINTING])
def test_printing_commands_show_user_text_verbatim(project, args, expected):
    out = run(*(a.format(p=project) for a in args))
    for text in expected:
        assert text.format(p=project) in out, (text, out)


def test_json_listing_is_verbatim(project):
    rows = json.loads(run("codings", "list", project, "--format", "json"))
    assert {r["quote"] for r in rows} >= {QUOTE, ARCHIVE}
    assert LABEL in {r["code_label"] for r in rows} and MEMO in {r["memo"] for r in rows}


def test_writing_commands_print_verbatim(tmp_path, project):
    project = str(shutil.copy(project, tmp_path / "copy [c].bctcoder"))   # this test writes
    assert project in run("info", project)
    new = "[/i] another [link=x]code[/link]"
    assert f"label: {new}\n" in run("codes", "add", project, new)
    added = run("codings", "add", project, SP_DOC, "0", "5", LABEL, "--memo", MEMO)
    assert f"memo: {MEMO}\n" in added and LABEL in added
    assert "Undid: " in run("codings", "undo", project)
    assert "Case set '[b]set[/b]': PW1, SP1" in run("select", project, "--name", "[b]set[/b]", "--top", "1",
                                                      "--code", "3.1")
    assert "│ [b]set[/b] │" in run("sets", project)


ERRORS = [
    (("codings", "add", "{p}", "no[such]doc", "0", "5", "3.1"), "no[such]doc"),
    (("codings", "add", "{p}", "PW1", "0", "5", "[/bold] nothing"), "[/bold] nothing"),
    (("codes", "add", "{p}", "99.9 [/bold]"), "99.9 [/bold]"),
    (("taxonomy", "show", "99.9 [/bold]"), "99.9 [/bold]"),
    (("info", "{missing}"), "[gone]"),
]


@pytest.mark.parametrize("args, expected", ERRORS, ids=[_id(a) for a, _ in ERRORS])
def test_error_messages_are_literal(project, args, expected):
    missing = str(Path(project).parent / "[gone].bctcoder")
    result = runner.invoke(app, [a.format(p=project, missing=missing) for a in args])
    assert "Traceback" not in result.output and "MarkupError" not in result.output, result.output
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: ")
    assert expected in result.output, result.output


def test_path_with_markup_in_init_and_export_messages(tmp_path):
    folder = tmp_path / "[bold]dir[red]"
    folder.mkdir()
    path = folder / "p.bctcoder"
    assert f"Created {path} with" in run("init", path)
    target = folder / "out [1].csv"
    assert f"to {target}" in run("export", "codings", path, target)


def test_friendly_errors_keep_install_hints(capsys):
    @friendly
    def command() -> None:
        raise BctcoderError("the web workspace needs the [web] extra: pip install 'bctcoder[web]'")

    with pytest.raises(typer.Exit):
        command()
    assert capsys.readouterr().err == ("Error: the web workspace needs the [web] extra: "
                                       "pip install 'bctcoder[web]'\n")
