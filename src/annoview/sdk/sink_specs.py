"""Rerun's sink descriptions for `rr.set_sinks(...)`: `FileSink`, `GrpcSink`, `GrpcServerSink`.

They only describe where data goes (Rerun's call signatures); `open_sink` turns one into the
annoview sink that does it: a `.avr` file, a live stream to a viewer (`annoview` listens on
127.0.0.1:9877; a Rerun URL's host and port are used as given), or, for a gRPC server, which
annoview does not run, one warning and the data kept in memory so that a later `save` or
`connect` still gets all of it.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from ..errors import ValidationError
from ..strict import report
from ..notices import notice_once
from .sinks import BufferSink, FileSink as AvrFileSink, Sink

if TYPE_CHECKING:
    from .recording import RecordingStream


class FileSink:
    """Write the recording to a file (annoview writes `.avr`, whatever the extension)."""

    def __init__(self, path: str | os.PathLike[str], *, write_footer: bool = True) -> None:
        self.path = os.fspath(path)
        self.write_footer = write_footer

    def __repr__(self) -> str:
        return f"FileSink({self.path!r})"


class GrpcSink:
    """Stream to a running viewer at `url` (default: annoview's 127.0.0.1:9877)."""

    def __init__(self, url: str | None = None) -> None:
        self.url = url

    def __repr__(self) -> str:
        return f"GrpcSink({self.url!r})"


class GrpcServerSink:
    """Rerun's in-process gRPC server. annoview runs none (use `annoview serve` and
    `rr.connect`): data sent here is kept in memory, with one warning."""

    def __init__(self, bind_ip: str = "0.0.0.0", port: int = 9876, *, server_memory_limit: str = "1GiB",
                 newest_first: bool = False, cors_allow_origin: list[str] | None = None) -> None:
        self.bind_ip, self.port = bind_ip, int(port)

    def uri(self) -> str:
        return f"rerun+http://127.0.0.1:{self.port}/proxy"

    def __repr__(self) -> str:
        return f"GrpcServerSink({self.bind_ip!r}, {self.port})"


LogSinkLike = FileSink | GrpcSink | GrpcServerSink


def open_sink(spec: Any, stream: "RecordingStream") -> Sink | None:
    """The annoview sink for one Rerun sink description; None (reported) for anything else."""
    if isinstance(spec, FileSink):
        return AvrFileSink(spec.path, stream.application_id, stream.recording_id)
    if isinstance(spec, GrpcSink):
        from .streaming import parse_addr
        from .tcp_sink import TcpSink

        try:
            host, port = parse_addr(spec.url)
        except ValidationError as e:
            report(e, "that sink is skipped")
            return None
        return TcpSink(host, port, stream.application_id, stream.recording_id)
    if isinstance(spec, GrpcServerSink):
        notice_once("grpc-server", "rr.serve_grpc / rr.GrpcServerSink: annoview runs no gRPC server; the data is "
                    "kept in memory (use `annoview serve` with rr.connect, or rr.save)")
        return BufferSink()
    report(ValidationError("set_sinks", "sinks", f"expected rr.FileSink, rr.GrpcSink or rr.GrpcServerSink, "
                           f"got {type(spec).__name__}"), "that sink is skipped")
    return None
