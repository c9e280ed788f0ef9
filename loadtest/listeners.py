"""Listening sockets on free loopback ports, handed to gunicorn as ``--bind fd://N``.

Choosing a free port and closing it before gunicorn binds leaves a window in which another
process (a second test run on the same machine, or any outgoing connection's ephemeral port)
can take it: gunicorn then fails to start, or the health check reaches someone else's server.
Binding port 0 and keeping the socket open until gunicorn has inherited it closes that window.
"""

from __future__ import annotations

import errno
import socket

IPV6_LOOPBACK = "::1"


def listener(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A TCP socket bound to ``host:port`` (port 0: the kernel picks a free one), listening,
    inheritable so that a child process can serve on it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
        sock.set_inheritable(True)
    except OSError:
        sock.close()
        raise
    return sock


def loopback_listeners(attempts: int = 20) -> list[socket.socket]:
    """127.0.0.1 on a free port, and ::1 on the same port where the machine has IPv6 loopback
    ("localhost" may resolve to either). Another port is tried if ::1's is taken."""
    for _ in range(attempts):
        first = listener()
        port = first.getsockname()[1]
        try:
            return [first, listener(IPV6_LOOPBACK, port)]
        except OSError as error:
            if error.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
                return [first]  # no IPv6 loopback here
            first.close()  # ::1 has this port in use: choose again
    raise OSError(errno.EADDRINUSE, "no port free on both 127.0.0.1 and ::1")


def gunicorn_binds(sockets: list[socket.socket]) -> list[str]:
    """gunicorn arguments serving on already-bound sockets (pass their fds to the child)."""
    return [arg for sock in sockets for arg in ("--bind", f"fd://{sock.fileno()}")]
