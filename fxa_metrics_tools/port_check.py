"""Fail early, in one line, when a local server's port is taken.

    python -m fxa_metrics_tools.port_check PORT VARIABLE [SERVER]

exits 0 when 127.0.0.1:PORT can be bound, else prints one line naming the variable that moves
the server elsewhere (`make docs DOCS_PORT=8001`) and exits 2. The Makefile calls it before
`make docs` regenerates the site and before `make airflow-standalone` starts Airflow, so a busy
port costs a second, not a minute of work and a traceback.
"""

from __future__ import annotations

import errno
import socket
import sys
from collections.abc import Sequence

HOST = "127.0.0.1"


def port_is_free(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) not in (2, 3) or not args[0].isdigit():
        print(
            "usage: python -m fxa_metrics_tools.port_check PORT VARIABLE [SERVER]", file=sys.stderr
        )
        return 2
    port, variable = int(args[0]), args[1]
    server = args[2] if len(args) == 3 else "server"
    if port_is_free(port):
        return 0
    print(
        f"{server}: port {port} on {HOST} is in use; pick another with {variable}=<port> "
        f"(e.g. {variable}={port + 1})",
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
