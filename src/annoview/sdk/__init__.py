"""The logging SDK: recording streams, time context, micro-batching and sinks."""
from .recording import RecordingStream
from .sinks import MemorySink

__all__ = ["RecordingStream", "MemorySink"]
