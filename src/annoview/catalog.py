"""`rerun.catalog` (the data catalog) needs Rerun's own servers or services: every name exists, so
imports and type hints work, and using one raises one NotAvailableError line (notices.py)."""
from .notices import unavailable_module

__getattr__, __dir__, __all__ = unavailable_module("rerun.catalog", (
    'AlreadyExistsError', 'CatalogClient', 'ComponentColumnDescriptor', 'ComponentColumnSelector', 'ContentFilter',
    'DatasetEntry', 'DatasetInfo', 'DatasetSelection', 'Entry', 'EntryId', 'EntryKind', 'IndexColumnDescriptor',
    'IndexColumnSelector', 'IndexValuesLike', 'Layer', 'LayerInfo', 'NotFoundError', 'OnDuplicateSegmentLayer',
    'RegistrationOperation', 'RegistrationResult', 'Schema', 'Segment', 'SegmentRegistrationResult', 'TableEntry',
    'TimelineInfo', 'UnregistrationHandle', 'VersionInfo',
))
