"""`assistant serve` on a port that is taken: a message that says what to do, before any model loads."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from assistant.api import PortInUseError, listen_socket


def test_listen_socket_names_the_taken_port_and_the_way_out() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError, match=rf"port {port} on 127.0.0.1 is already in use .*make run PORT={port + 1}"):
            listen_socket("127.0.0.1", port)
    sock = listen_socket("127.0.0.1", 0)  # a free port is bound and handed to uvicorn as is
    try:
        assert sock.getsockname()[1] > 0
    finally:
        sock.close()


def test_serve_on_a_taken_port_exits_with_the_message(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSISTANT_")}
    env["ASSISTANT_INDEX"] = str(tmp_path / "index")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "assistant", "serve", "--port", str(port)], env=env,
                              capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: port {port} on 127.0.0.1 is already in use")
    assert "Errno" not in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "index").exists()  # it stopped before opening the index or loading the model
