"""The lessons' exercises (lessons/exercises/): every check passes against its worked
solution and fails against the unsolved exercise, and every lesson ends by
pointing to its exercises. The checks themselves stay out of this test run
(pytest collects only tests/); here they run in a pytest process of their own.
"""
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import pytest

LESSONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "lessons")
EXERCISES = os.path.join(LESSONS, "exercises")
# Lessons whose exercises are written; a lesson added later joins here with its own.
WITH_EXERCISES = ["00_neurons", "01_first_model", "02_capacity", "03_backprop", "04_kernels",
                  "05_regularization", "07_step_through", "08_optimizers"]


def run_checks(tmp_path, solutions):
    """{test id: 'passed' | 'failed'} of every check in lessons/exercises."""
    report = tmp_path / ("solutions.xml" if solutions else "unsolved.xml")
    env = {k: v for k, v in os.environ.items() if k != "TINYNET_EXERCISES"}
    if solutions:
        env["TINYNET_EXERCISES"] = "solutions"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", EXERCISES,
                           f"--junitxml={report}"], capture_output=True, text=True, env=env, timeout=600,
                          cwd=os.path.dirname(LESSONS))
    outcomes = {}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        failed = case.find("failure") is not None or case.find("error") is not None
        outcomes[f"{case.get('classname')}::{case.get('name')}"] = "failed" if failed else \
            "skipped" if case.find("skipped") is not None else "passed"
    return outcomes, done.stdout[-3000:]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exercises")
    return run_checks(folder, solutions=True), run_checks(folder, solutions=False)


def test_every_check_passes_against_its_solution(outcomes):
    (solved, output), _ = outcomes
    assert solved and set(solved.values()) == {"passed"}, output


def test_every_check_fails_until_its_exercise_is_solved(outcomes):
    (solved, _), (unsolved, output) = outcomes
    assert set(unsolved) == set(solved)
    assert set(unsolved.values()) == {"failed"}, output


@pytest.mark.parametrize("lesson", WITH_EXERCISES)
def test_each_lesson_ends_with_exercises_that_have_checks_and_solutions(lesson, outcomes):
    (solved, _), _ = outcomes
    for path in (f"ex_{lesson}.py", f"test_{lesson}.py", os.path.join("solutions", f"ex_{lesson}.py")):
        assert os.path.exists(os.path.join(EXERCISES, path)), f"lessons/exercises/{path} is missing"
    with open(os.path.join(LESSONS, f"{lesson}.py"), encoding="utf-8") as f:
        source = f.read()
    section = source[source.rindex("# ## Exercises"):]
    assert f"lessons/exercises/test_{lesson}.py" in section
    numbered = re.findall(r"^# (\d)\. \*\*", section, flags=re.MULTILINE)
    with open(os.path.join(EXERCISES, f"ex_{lesson}.py"), encoding="utf-8") as f:
        functions = re.findall(r"^def \w+", f.read(), flags=re.MULTILINE)
    assert 2 <= len(numbered) == len(functions) <= 4, "one numbered exercise in the lesson per function to write"
    assert sum(test.startswith(f"lessons.exercises.test_{lesson}") or f"test_{lesson}" in test
               for test in solved) >= len(functions)
