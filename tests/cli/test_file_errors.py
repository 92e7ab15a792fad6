"""File-system failures are one line naming the path and what to do, exit status 1, no traceback and no
half-written file (issue #13). Tests run as root here, so unwritable folders are simulated: a path under a
regular file (NotADirectoryError), a folder where a file is expected (IsADirectoryError), and os.replace /
Path.mkdir / shutil.copy2 patched to raise PermissionError."""

from __future__ import annotations

import errno
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bctcoder.cli.main import app
from bctcoder.errors import InputError, ProjectError
from bctcoder.project import Project
from bctcoder.report.render import write_atomic
from bctcoder.store import database
from tests.conftest import write

runner = CliRunner()


@pytest.fixture
def study(tmp_path) -> Path:
    path = tmp_path / "study.bctcoder"
    with Project.create(path, user="tester") as p:
        write(tmp_path / "cases.csv", "case,role\nPW1,PW\n")
        p.import_cases(tmp_path / "cases.csv")
        write(tmp_path / "PW1.txt", "Interviewer: Hello?\nPW1: We walked together and felt better.\n")
        p.import_transcripts([tmp_path / "PW1.txt"])
        text = p.document_text("PW1")
        p.add_coding("PW1", text.index("We"), text.index("We") + 9, "3.1", coder="ann")
    return path


def fails(*args: object) -> str:
    """Run the CLI, expect exit 1 and one clean error line; return it."""
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def no_part_files(folder: Path) -> bool:
    return not list(folder.rglob("*.part"))


def test_report_out_under_a_regular_file(study, tmp_path):
    (tmp_path / "file.txt").write_text("x")
    target = tmp_path / "file.txt" / "table2.csv"
    line = fails("report", "table2", study, "--format", "csv", "--out", target)
    assert str(target) in line and "not a folder" in line


def test_report_out_that_is_a_folder(study, tmp_path):
    (tmp_path / "folder").mkdir()
    line = fails("report", "table2", study, "--format", "csv", "--out", tmp_path / "folder")
    assert str(tmp_path / "folder") in line and "give a file name" in line
    assert no_part_files(tmp_path)


def test_report_all_out_under_a_regular_file_or_being_one(study, tmp_path):
    (tmp_path / "file.txt").write_text("x")
    line = fails("report", "all", study, "--out", tmp_path / "file.txt" / "sub")
    assert str(tmp_path / "file.txt" / "sub") in line and "not a folder" in line
    line = fails("report", "all", study, "--out", tmp_path / "file.txt")
    assert str(tmp_path / "file.txt") in line and "choose another name" in line


def test_report_all_into_a_folder_without_permission(study, tmp_path, monkeypatch):
    def refuse(self, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    line = fails("report", "all", study, "--out", tmp_path / "out")
    assert str(tmp_path / "out") in line and "permission denied" in line and "folder you can write to" in line
    assert not (tmp_path / "out").exists()


def test_export_codings_when_the_rename_is_refused_leaves_nothing(study, tmp_path, monkeypatch):
    def refuse(self, target):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "replace", refuse)
    out = tmp_path / "codings.csv"
    line = fails("export", "codings", study, out)
    assert str(out) in line and "permission denied" in line
    assert not out.exists() and no_part_files(tmp_path)


def test_export_codings_into_a_missing_folder(study, tmp_path):
    out = tmp_path / "missing" / "codings.csv"
    line = fails("export", "codings", study, out)
    assert str(out) in line and "does not exist" in line


def test_write_atomic_full_disk_names_the_file_and_removes_the_part(tmp_path, monkeypatch):
    def full(self, data, *args, **kwargs):
        self.write_bytes(data[:2].encode())   # half of the file got written
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "write_text", full)
    with pytest.raises(InputError, match="disk is full") as info:
        write_atomic(tmp_path / "r.md", "text")
    assert str(tmp_path / "r.md") in str(info.value)
    assert no_part_files(tmp_path)


def _old_project(path: Path) -> Path:
    """A project file at schema 0004, so opening it needs a backup and a migration."""
    engine = database.make_engine(database.to_url(path))
    from alembic import command

    command.upgrade(database.alembic_config(engine), "0004")
    engine.dispose()
    return path


def test_old_project_whose_folder_refuses_the_backup(tmp_path, monkeypatch):
    path = _old_project(tmp_path / "old.bctcoder")
    before = path.read_bytes()

    def refuse(src, dst, *args, **kwargs):
        Path(dst).write_bytes(b"partial")   # a copy that fails half-way leaves no partial backup behind
        raise PermissionError(errno.EACCES, "Permission denied", str(dst))

    monkeypatch.setattr(shutil, "copy2", refuse)
    with pytest.raises(ProjectError, match="backup") as info:
        Project.open(path, user="tester")
    assert str(path) in str(info.value) and "permission denied" in str(info.value)
    assert path.read_bytes() == before and not list(tmp_path.glob("*.bak"))
    line = fails("info", path)
    assert str(path) in line and "folder you can write to" in line


def test_any_other_os_error_is_one_line_too(study, monkeypatch):
    def broken(*args, **kwargs):
        raise IsADirectoryError(errno.EISDIR, "Is a directory", "/somewhere/odd")

    monkeypatch.setattr(Project, "open", broken)
    line = fails("info", study)
    assert line == "Error: /somewhere/odd: this is a folder, not a file: give a file name"
