"""Cases, typed attributes, declined vs missing, partnerships, and their errors."""

from __future__ import annotations

import pandas as pd
import pytest

from bctcoder.errors import InputError
from tests.conftest import write

CASES = """case,role,sex,ethnicity,age_band,setting,interviews:integer
Interviewee_PW1,PW,Woman,White – British,26–64,Setting_1,2
Interviewee_PW3,peer worker,Woman,Arab,N/A,Setting_1,1
Interviewee_SP1,SP,Woman,White – British,26–64,Setting_5,
Interviewee_SP6,Supported peer,Man,declined,,Setting_5,1
"""


def test_import_cases_with_declined_and_missing(project, tmp_path):
    result = project.import_cases(write(tmp_path / "cases.csv", CASES))
    assert result["created"] == 4
    frame = project.cases().set_index("case")
    assert frame.loc["Interviewee_PW3", "role"] == "PW"
    assert frame.loc["Interviewee_SP6", "role"] == "SP"
    assert frame.loc["Interviewee_PW3", "age_band"] == "declined"
    assert frame.loc["Interviewee_SP6", "ethnicity"] == "declined"
    assert pd.isna(frame.loc["Interviewee_SP6", "age_band"])  # missing, not declined
    assert frame.loc["Interviewee_PW1", "interviews"] == "2"
    from bctcoder.store.models import CaseValue

    with project.reading() as s:
        statuses = sorted({v.status for v in s.query(CaseValue)})
    assert statuses == ["declined", "missing", "value"]


@pytest.mark.parametrize("body, message, line", [
    ("case,role\nA,PW\nA,SP\n", "duplicate case id 'A' (first on line 2)", 3),
    ("case,role\nA,Nurse\n", "unknown role 'Nurse'", 2),
    ("case,role,age:integer\nA,PW,thirty\n", "field 'age': 'thirty' is not a whole number", 2),
    ("case,role,when:date\nA,PW,31/12/2020\n", "is not a date", 2),
    ("name,sex\nA,Man\n", "no case id column", 1),
    ("case,sex\nA,Man\n", "no 'role' column", 1),
    ("case,role,age:weird\nA,PW,1\n", "unknown type 'weird'", 1),
    ("case,role\n,PW\n", "empty case id", 2),
])
def test_bad_case_files_name_file_and_line(project, tmp_path, body, message, line):
    path = write(tmp_path / "bad.csv", body)
    with pytest.raises(InputError) as info:
        project.import_cases(path)
    assert message in str(info.value)
    assert str(info.value).startswith(f"{path}, line {line}: ")
    assert project.info()["cases"] == 0  # nothing half-written


def test_empty_and_missing_files(project, tmp_path):
    with pytest.raises(InputError, match="file is empty"):
        project.import_cases(write(tmp_path / "empty.csv", ""))
    with pytest.raises(InputError, match="cannot read file"):
        project.import_cases(tmp_path / "nope.csv")


def test_existing_case_needs_update_flag(project, tmp_path):
    path = write(tmp_path / "cases.csv", CASES)
    project.import_cases(path)
    with pytest.raises(InputError, match="already exists"):
        project.import_cases(path)
    changed = write(tmp_path / "c2.csv", "case,role,sex\nInterviewee_PW1,PW,Man\n")
    assert project.import_cases(changed, update=True)["updated"] == 1
    assert project.cases().set_index("case").loc["Interviewee_PW1", "sex"] == "Man"


def test_extra_roles(project, tmp_path):
    project.add_role("Carer", "Family carer")
    project.import_cases(write(tmp_path / "c.csv", "case,role\nC1,carer\n"))
    assert list(project.cases()["role"]) == ["Carer"]


def test_partnerships(project, tmp_path):
    project.import_cases(write(tmp_path / "cases.csv", CASES))
    result = project.import_partnerships(write(tmp_path / "p.csv", "pw,sp\nInterviewee_PW1,Interviewee_SP1\n"))
    assert result == {"created": 1}
    assert project.partnerships() == [{"first": "Interviewee_PW1", "second": "Interviewee_SP1", "label": None}]
    with pytest.raises(InputError, match="already exists"):
        project.import_partnerships(write(tmp_path / "p2.csv", "pw,sp\nInterviewee_SP1,Interviewee_PW1\n"))
    with pytest.raises(InputError, match=r"line 2: unknown case 'Nobody'"):
        project.import_partnerships(write(tmp_path / "p3.csv", "pw,sp\nNobody,Interviewee_SP1\n"))


def test_set_case_value(project, tmp_path):
    project.import_cases(write(tmp_path / "cases.csv", CASES))
    project.set_case_value("Interviewee_SP6", "age_band", "declined")
    assert project.cases().set_index("case").loc["Interviewee_SP6", "age_band"] == "declined"
    assert project.events(limit=1)[0]["action"] == "case.set"
