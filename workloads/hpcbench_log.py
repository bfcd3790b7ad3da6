"""Small helpers shared by the reference workloads: where to write logs, and JSONL writing.

The job scripts rendered by hpcbench export HPCBENCH_OUT_DIR, HPCBENCH_INFERENCE_LOG,
HPCBENCH_TRAINING_LOG and HPCBENCH_CHECKPOINT_DIR; outside a job the workloads fall back to the
current directory so they can be run by hand.
"""

import json
import math
import os
import sys


def out_path(env_name, default_name):
    """The log path the job script exported, else <HPCBENCH_OUT_DIR or .>/<default_name>."""
    explicit = os.environ.get(env_name)
    if explicit:
        return explicit
    return os.path.join(os.environ.get("HPCBENCH_OUT_DIR", "."), default_name)


def env_param(name, default, cast=int):
    """A sweep parameter exported by the job script as an environment variable of its own name."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return cast(value)
    except ValueError:
        sys.exit(f"environment variable {name}={value!r} is not a valid {cast.__name__}")


def _finite(value):
    """JSON has no NaN or Infinity: write null instead, as docs/inference-jsonl.md asks."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_finite(v) for v in value]
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return value


class JsonlWriter:
    """Appends one JSON object per line and flushes, so a killed job keeps what it wrote."""

    def __init__(self, path):
        directory = os.path.dirname(path)
        if directory:
            os.makedirs(directory, exist_ok=True)
        self.path = path
        self.file = open(path, "a", encoding="utf-8")

    def write(self, record):
        self.file.write(json.dumps(_finite(record), ensure_ascii=False) + "\n")
        self.file.flush()

    def close(self):
        self.file.close()


def read_lines(path):
    """Non-empty lines of a UTF-8 text file, or a clear exit when it is missing."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = [line.strip() for line in f if line.strip()]
    except OSError as error:
        sys.exit(f"{path}: cannot read: {error.strerror}")
    if not lines:
        sys.exit(f"{path}: the file is empty; expected one text per line")
    return lines
