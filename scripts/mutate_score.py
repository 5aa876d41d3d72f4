#!/usr/bin/env python3
"""Prints the score of the mutmut run in the current directory (after `mutmut export-cicd-stats`):
killed (timeouts count as killed) out of the mutants some test runs; mutants no test reaches are
listed apart, they are gaps in coverage rather than in the assertions."""

import json
import sys
from pathlib import Path

stats = json.loads(Path("mutants/mutmut-cicd-stats.json").read_text())
killed = stats["killed"] + stats["timeout"]
tested = stats["total"] - stats["no_tests"] - stats["skipped"]
score = 100.0 * killed / tested if tested else 0.0
print(
    f"{score:.1f} % killed ({killed} of {tested}; survived {stats['survived']}, "
    f"no tests {stats['no_tests']}, suspicious {stats['suspicious']}, total {stats['total']})"
)
sys.exit(0)
