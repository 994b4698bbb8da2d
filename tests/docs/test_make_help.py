"""`make help` lists every documented target once, in workflow order (issue 17, item 6)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[2]


def test_make_help_lists_every_target_once_build_and_test_first() -> None:
    makefile = (PROJECT_DIR / "Makefile").read_text()
    documented = re.findall(r"^([a-zA-Z_-]+):.*## ", makefile, flags=re.M)
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", "help"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    listed = [line.split()[0] for line in result.stdout.splitlines() if line.strip()]
    assert sorted(listed) == sorted(set(documented)), (
        f"make help lists {listed}, the Makefile documents {documented}"
    )
    assert listed[:2] == ["build", "test"], f"make help should start with build, test: {listed}"
    order = re.search(r"^HELP_ORDER := (.*?)(?<!\\)$", makefile, flags=re.M | re.S)
    assert order, "HELP_ORDER is missing from the Makefile"
    wanted = [t for t in order.group(1).replace("\\\n", " ").split() if t in documented]
    assert listed[: len(wanted)] == wanted, "make help does not follow HELP_ORDER"
