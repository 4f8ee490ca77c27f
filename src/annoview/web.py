"""`rerun.web`: annoview has no web viewer; `serve_web_viewer` says so once (rerun_api.py)."""
from .rerun_api import serve_web_viewer

__all__ = ["serve_web_viewer"]
