"""One `testimonia link` over a registry folder, in a process of its own, so that what it measures is
the link's alone (the benchmark's own copy of the truth does not count in its memory).

    python -m bench.linking.timed_link FOLDER [--workers N]

Prints one line of JSON: the run's report, the seconds of each stage (from its start to its last tick),
and its process id (the benchmark samples the memory of this process and its workers).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict
from pathlib import Path

from testimonia.linking.parallel import cores
from testimonia.services import linking
from testimonia.services.access import SYSTEM
from testimonia.services.registry import open_folder


class Stages:
    """A linking run's progress callback that keeps how long each stage took, from its start to its
    last tick."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def __call__(self, stage: str, total: int):
        started = time.perf_counter()

        def tick() -> None:
            self.seconds[stage] = round(time.perf_counter() - started, 1)

        return tick


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.linking.timed_link", description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--workers", type=int, default=cores())
    args = parser.parse_args(argv)
    registry = open_folder(args.folder)
    stages = Stages()
    try:
        report = linking.run(registry, SYSTEM, workers=args.workers, progress=stages)
    finally:
        registry.close()
    print(json.dumps({"report": asdict(report), "stage_seconds": stages.seconds, "pid": os.getpid()}, default=str))


if __name__ == "__main__":
    main()
