"""A busy port gives one line naming the variable to change, not a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys

from fxa_metrics_tools.testing import PROJECT_DIR


def run_check(port: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fxa_metrics_tools.port_check", str(port), "DOCS_PORT", "docs"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_busy_port_names_the_variable_in_one_line() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        result = run_check(port)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"docs: port {port} on 127.0.0.1 is in use; pick another with DOCS_PORT=<port> "
        f"(e.g. DOCS_PORT={port + 1})"
    ]
    assert "Traceback" not in result.stderr


def test_free_port_passes() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_check(port)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
