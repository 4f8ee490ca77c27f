"""`rerun.recording_stream`: the recording object and the default-recording calls, also under
this module name."""
from .rerun_api import (AUTO_INDEX, BinaryStream, ChunkBatcherConfig, binary_stream, get_application_id,
                        get_data_recording, get_global_data_recording, get_recording_id,
                        get_thread_local_data_recording, is_enabled, recording_stream_generator_ctx,
                        set_global_data_recording, set_thread_local_data_recording, thread_local_stream)
from .sdk.recording import RecordingStream

active_recording_stream = get_data_recording

__all__ = ["AUTO_INDEX", "BinaryStream", "ChunkBatcherConfig", "RecordingStream", "active_recording_stream",
           "binary_stream", "get_application_id", "get_data_recording", "get_global_data_recording",
           "get_recording_id", "get_thread_local_data_recording", "is_enabled", "recording_stream_generator_ctx",
           "set_global_data_recording", "set_thread_local_data_recording", "thread_local_stream"]
