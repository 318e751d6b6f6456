"""The tiny HTTP server of a contract test: it records every request and
answers each with what the test's `respond` gives (usually an answer sample),
so the adapter talks real HTTP to the samples."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from integrations.simulators._threaded import serve_in_thread, shut_down


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str  # with the query string
    headers: dict[str, str]
    body: bytes


# (status, body, content type)
Answer = tuple[int, bytes, str]


class RecordingServer:
    """Serves on a free loopback port; `url` is its address plus `root`."""

    def __init__(self, respond: Callable[[Recorded], Answer], *, root: str = "", name: str):
        self.requests: list[Recorded] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                request = Recorded(
                    self.command, self.path, dict(self.headers.items()), self.rfile.read(length)
                )
                recorder.requests.append(request)
                status, payload, kind = respond(request)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815 - http.server's naming

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = serve_in_thread(self._server, name=name)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}{root}"

    def close(self) -> None:
        shut_down(self._server, self._thread)
