"""`rerun.sinks`: where a recording goes, also under this module name."""
from . import blueprint, connect_grpc, disconnect, save, send_blueprint, spawn
from .rerun_api import (BinaryStream, FileSink, GrpcServerSink, GrpcSink, get_application_id, is_enabled, serve_grpc,
                        set_sinks, stdout)
from .sdk.recording import RecordingStream
from .sdk.sink_specs import LogSinkLike

is_recording_enabled = is_enabled
BlueprintLike = blueprint.BlueprintLike


def create_in_memory_blueprint(*args: object, **kwargs: object) -> None:
    """Blueprints are ignored by annoview (see annoview.blueprint)."""
    return None


__all__ = ["BinaryStream", "BlueprintLike", "FileSink", "GrpcServerSink", "GrpcSink", "LogSinkLike", "RecordingStream", "connect_grpc",
           "create_in_memory_blueprint", "disconnect", "get_application_id", "is_recording_enabled", "save",
           "send_blueprint", "serve_grpc", "set_sinks", "spawn", "stdout"]
