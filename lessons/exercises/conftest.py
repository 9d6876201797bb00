"""How the exercise checks find what they check.

Each check file ``test_XX_name.py`` checks the functions of ``ex_XX_name.py``
beside it - the file you edit. With TINYNET_EXERCISES=solutions in the
environment it checks ``solutions/ex_XX_name.py`` instead: the worked solutions,
which the project's own tests run this way (tests/test_exercises.py).
"""
import importlib.util
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
if REPO not in sys.path:
    sys.path.insert(0, REPO)  # the tinynet of this checkout, as the lessons use


def exercise_module(check_file):
    """The module that the check file ``test_XX_name.py`` checks."""
    name = "ex_" + os.path.basename(check_file)[len("test_"):-len(".py")]
    folder = os.path.join(HERE, "solutions") if os.environ.get("TINYNET_EXERCISES") == "solutions" else HERE
    spec = importlib.util.spec_from_file_location(name, os.path.join(folder, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def ex(request):
    """The exercise module of the check file that asks for it."""
    return exercise_module(request.module.__file__)
