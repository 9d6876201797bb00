"""PyTorch and Keras, each in a process of its own (``reference_train.py`` run by
the reference Python), asked for one timed epoch at a time."""
import json
import os
import subprocess
import tempfile

import numpy as np


class ReferenceProcess:
    """A warmed-up reference framework; ``epoch(case)`` trains one epoch, returns seconds."""

    def __init__(self, python, framework, x, y):
        self.framework = framework
        self._tmp = tempfile.TemporaryDirectory()
        data = os.path.join(self._tmp.name, "mnist.npz")
        np.savez(data, x=x, y=y)
        script = os.path.join(os.path.dirname(__file__), "reference_train.py")
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
        self._proc = subprocess.Popen([python, script, data, framework], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.version = self._read()["ready"]

    def _read(self):
        line = self._proc.stdout.readline()
        if not line:
            error = self._proc.stderr.read().strip().splitlines()
            self.close()
            raise RuntimeError(f"{self.framework}: {error[-1] if error else 'ended without output'}")
        return json.loads(line)

    def epoch(self, case):
        self._proc.stdin.write(case + "\n")
        self._proc.stdin.flush()
        return self._read()["seconds"]

    def close(self):
        if self._proc.poll() is None:
            self._proc.stdin.close()
            self._proc.wait(timeout=60)
        self._tmp.cleanup()


def start(python, frameworks, x, y):
    """The frameworks that start in ``python``; a missing one is reported and left out."""
    started = []
    for framework in frameworks:
        print(f"  starting {framework} ...", flush=True)
        try:
            started.append(ReferenceProcess(python, framework, x, y))
        except RuntimeError as error:
            print(f"  {framework}: not measured ({error})")
    return started
