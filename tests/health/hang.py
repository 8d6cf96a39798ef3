"""A loopback TCP server that accepts connections and never answers: a hung Prometheus,
Alertmanager or API server as the cockpit meets it (connect works, no byte ever comes)."""

from __future__ import annotations

import socket
import threading


class HangingServer:
    def __init__(self) -> None:
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port = int(self._listener.getsockname()[1])
        self.accepted = 0  # connections taken (and never answered)
        self._held: list[socket.socket] = []
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="hang", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HangingServer:
        self._thread.start()
        return self

    def _accept(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stopping.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._held.append(conn)  # read nothing, write nothing, keep it open
            self.accepted += 1

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(2)
        self._listener.close()
        for conn in self._held:
            conn.close()
