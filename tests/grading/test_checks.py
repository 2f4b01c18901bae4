"""The checks library: exact kinds, no leaked answers, fingerprints, SQL result sets."""

from __future__ import annotations

import sqlite3

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bootcamp import checks


class AlwaysEqual:
    def __eq__(self, other):
        return True

    __hash__ = object.__hash__


class SneakyInt(int):
    def __eq__(self, other):
        return True

    __hash__ = int.__hash__


@pytest.mark.parametrize("fake", [AlwaysEqual(), SneakyInt(0), "1234", 1234.5, True, None])
def test_impostors_fail(fake):
    with pytest.raises(checks.CheckFailed):
        checks.check_equal(fake, 1234)
    with pytest.raises(checks.CheckFailed):
        checks.check_hashed(fake, checks.fingerprint(1234))


def test_numpy_and_python_ints_agree():
    checks.check_equal(np.int64(7), 7)
    checks.check_hashed(np.int64(7), checks.fingerprint(7))
    checks.check_equal(0.1 + 0.2, 0.3)


def test_messages_never_show_the_answer():
    expected = pd.DataFrame({"party": ["DEM", "REP"], "voters": [48213, 39877]})
    wrong = pd.DataFrame({"party": ["DEM", "REP"], "voters": [50000, 40000]})
    for call in (
        lambda: checks.check_equal(wrong, expected, hint="did you filter to ACTIVE voters?"),
        lambda: checks.check_hashed(wrong, checks.fingerprint(expected), hint="ACTIVE?"),
        lambda: checks.check_equal(31337, 48213),
    ):
        with pytest.raises(checks.CheckFailed) as info:
            call()
        assert "48213" not in str(info.value) and "39877" not in str(info.value)
    with pytest.raises(checks.CheckFailed, match="ACTIVE voters"):
        checks.check_equal(wrong, expected, hint="did you filter to ACTIVE voters?")


def test_dataframe_messages_name_the_problem():
    expected = pd.DataFrame({"party": ["DEM"], "voters": [3]})
    with pytest.raises(checks.CheckFailed, match="columns"):
        checks.check_equal(expected.rename(columns={"voters": "count"}), expected)
    with pytest.raises(checks.CheckFailed, match="number of rows"):
        checks.check_equal(pd.concat([expected, expected]), expected)
    with pytest.raises(checks.CheckFailed, match="DataFrame"):
        checks.check_equal(expected["voters"], expected)
    # index and column order do not count; row order counts unless ordered=False
    checks.check_equal(expected[["voters", "party"]].set_index(pd.Index([9])), expected)
    two = pd.DataFrame({"party": ["DEM", "REP"], "voters": [3, 4]})
    with pytest.raises(checks.CheckFailed):
        checks.check_equal(two.iloc[::-1], two)
    checks.check_equal(two.iloc[::-1], two, ordered=False)


def test_targeted_mistake_message():
    fp = checks.fingerprint(10)
    with pytest.raises(checks.CheckFailed, match="ACTIVE only"):
        checks.check_hashed(
            12, fp, hint="generic", mistakes={checks.fingerprint(12): "ACTIVE only"}
        )


def test_check_function_uses_every_case():
    def reference(n):
        return n * 2

    checks.check_function(lambda n: n * 2, reference, [(1,), {"n": 5}])
    with pytest.raises(checks.CheckFailed, match="data set 2"):
        checks.check_function(lambda n: 2 if n == 1 else 0, reference, [(1,), (5,)])


def test_sql_graded_on_result_set():
    db = sqlite3.connect(":memory:")
    pd.DataFrame({"ncid": ["A", "B", "C"], "age": [70, 64, 65]}).to_sql("voters", db, index=False)
    expected = checks.run_sql("SELECT ncid FROM voters WHERE age >= 65", db)
    other_text = "select ncid from voters where not (age < 65) order by ncid desc"
    checks.check_sql(other_text, db, expected)
    checks.check_sql(other_text, db, checks.fingerprint(expected, ordered=False))
    with pytest.raises(checks.CheckFailed, match="number of rows"):
        checks.check_sql("SELECT ncid FROM voters WHERE age > 65", db, expected)
    with pytest.raises(checks.CheckFailed, match="did not run"):
        checks.check_sql("SELEC ncid", db, expected)


@given(st.lists(st.one_of(st.integers(), st.text(), st.floats(allow_nan=False)), max_size=20))
def test_fingerprint_is_a_function_of_the_value(values):
    assert checks.fingerprint(list(values)) == checks.fingerprint(list(values))
    checks.check_hashed(list(values), checks.fingerprint(list(values)))


def test_authoring_reports_bad_yaml_in_one_line(tmp_path):
    from bootcamp.errors import BootcampError
    from bootcamp.grading import authoring

    spec = tmp_path / "exercises.yml"
    spec.write_text("questions:\n  - id: x\n    mistake: over: 65\n")
    with pytest.raises(BootcampError) as error:
        authoring.build_file(spec)
    assert (
        str(error.value)
        == f"{spec} is not valid YAML at line 3: mapping values are not allowed here"
    )
    assert not spec.with_suffix(".ipynb").exists()


def test_a_right_answer_says_so(capsys):
    checks.check_hashed(12, checks.fingerprint(12), question="Q1")
    assert capsys.readouterr().out == "Q1 passed.\n"
