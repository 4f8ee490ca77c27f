"""`rerun.experimental` (viewer control, dataset readers and schemas) needs Rerun's viewer or native
code: every name exists, so imports and type hints work, and using one raises one NotAvailableError
line (notices.py)."""
from .notices import unavailable_module

__getattr__, __dir__, __all__ = unavailable_module("rerun.experimental", (
    'BearerTokenObjectStoreAuth', 'Blueprint', 'BlueprintInfo', 'Command', 'ComponentSchema', 'DatasetAssetSchema',
    'DatasetInfo', 'DatasetSchema', 'EntitySchema', 'Hdf5Reader', 'LeRobotReader', 'LoadingSource', 'LogEntry',
    'MetricsCollector', 'Mp4Reader', 'Mp4TranscodeOptions', 'ObjectStoreAuth', 'OpenResult', 'ParquetReader',
    'ProfileTrace', 'QueryMetrics', 'Recording', 'RecordingSchema', 'TableColumnSchema', 'Timeline', 'View',
    'ViewReport', 'ViewerClient', 'ViewerState', 'query_metrics',
))
