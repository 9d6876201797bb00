"""The seed notebook runs against tinynet with only its import lines changed.

``tests/seed/notebook_keras.py`` is the notebook's code as written for Keras. Here
its four Keras import lines are swapped for tinynet's, the test checks that no
other line changed, then runs it on small settings (fewer epochs, a smaller
subset) with a non-interactive matplotlib backend.
"""
import os
import subprocess
import sys

HERE = os.path.dirname(__file__)
IMPORTS = {
    "import tensorflow as tf": "import tinynet as tf",
    "from keras.models import Sequential": "from tinynet.models import Sequential",
    "from keras.layers import Dense, Flatten, Conv2D, MaxPooling2D":
        "from tinynet.layers import Dense, Flatten, Conv2D, MaxPooling2D",
    "from keras.datasets import mnist": "from tinynet.datasets import mnist",
}
# Small settings for a test; each replaced text must occur in the notebook.
SMALL = {"epochs=10,": "epochs=1,", "epochs=50,": "epochs=2,", "subset_size = 10000": "subset_size = 600"}


def tinynet_version():
    with open(os.path.join(HERE, "seed", "notebook_keras.py"), encoding="utf-8") as f:
        keras_lines = f.read().splitlines()
    lines = [IMPORTS.get(line, line) for line in keras_lines]
    changed = [(a, b) for a, b in zip(keras_lines, lines) if a != b]
    return keras_lines, lines, changed


def test_only_the_import_lines_change():
    keras_lines, lines, changed = tinynet_version()
    assert len(changed) == len(IMPORTS)
    assert all(a.startswith(("import ", "from ")) for a, _ in changed)


def test_the_notebook_runs_with_tinynet(tmp_path):
    _, lines, _ = tinynet_version()
    source = "\n".join(lines)
    for old, new in SMALL.items():
        assert old in source
        source = source.replace(old, new)
    script = tmp_path / "notebook_tinynet.py"
    script.write_text(source, encoding="utf-8")
    # PYTHONPATH: this checkout's tinynet, even where another one is installed.
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=os.path.dirname(HERE))
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env,
                         cwd=os.path.dirname(HERE), timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    out = run.stdout
    assert "Epoch 1/1" in out and "1875/1875" in out
    assert out.count("Final Test Accuracy:") == 3
    assert "MY MODEL ANALYSIS" in out and "Generalization Gap:" in out
