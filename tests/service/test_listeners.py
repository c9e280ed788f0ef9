"""The servers' ports are theirs from the moment they are chosen: nothing else on the machine
(a second test run, an outgoing connection) can bind them before gunicorn serves."""

from __future__ import annotations

import errno
import socket

import pytest

from loadtest.listeners import gunicorn_binds, listener, loopback_listeners


def test_a_chosen_port_cannot_be_taken_before_the_server_serves() -> None:
    with listener() as held:
        port = held.getsockname()[1]
        with socket.socket() as other, pytest.raises(OSError) as taken:
            other.bind(("127.0.0.1", port))
        assert taken.value.errno == errno.EADDRINUSE
        assert gunicorn_binds([held]) == ["--bind", f"fd://{held.fileno()}"]
        assert held.get_inheritable()


def test_localhost_listeners_share_one_port() -> None:
    sockets = loopback_listeners()
    try:
        assert len({sock.getsockname()[1] for sock in sockets}) == 1
        assert sockets[0].getsockname()[0] == "127.0.0.1"
    finally:
        for sock in sockets:
            sock.close()
