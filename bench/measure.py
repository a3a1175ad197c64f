"""Run a Python script and write peak RSS in KiB to a file: ``measure.py OUT script.py args...``.

The file holds two numbers: the script's own peak, and the largest peak among the child
processes it waited for (the importer's checking processes).
"""

from __future__ import annotations

import atexit
import resource
import runpy
import sys
from pathlib import Path


def main() -> None:
    out = Path(sys.argv[1])
    atexit.register(lambda: out.write_text(
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}"
    ))
    sys.argv = sys.argv[2:]
    runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
