"""Run a Python script and write its own peak RSS in KiB to a file: ``measure.py OUT script.py args...``."""

from __future__ import annotations

import atexit
import resource
import runpy
import sys
from pathlib import Path


def main() -> None:
    out = Path(sys.argv[1])
    atexit.register(lambda: out.write_text(str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)))
    sys.argv = sys.argv[2:]
    runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
