"""A Rerun user's loader script: images logged with rr.log_file_from_path/_from_contents, worker
threads logging to their own recordings, and the global recording's own data."""
import io
import os
import sys
import threading

import numpy as np
from PIL import Image as PILImage

import annoview as rr

rr.init("compat_files")
rr.save(sys.argv[1])
rr.set_log_time_enabled(False)
pixels = np.zeros((12, 16, 3), dtype=np.uint8)
pixels[:, :8] = (255, 0, 0)
buf = io.BytesIO()
PILImage.fromarray(pixels).save(buf, format="PNG")
os.chdir(os.path.dirname(os.path.abspath(sys.argv[1])))  # next to the recording
with open("frame.png", "wb") as f:
    f.write(buf.getvalue())
rr.log_file_from_path("frame.png", entity_path_prefix="camera")
rr.log_file_from_contents("snapshots/first.png", buf.getvalue())


def worker(i: int) -> None:
    rec = rr.RecordingStream("compat_files_worker")
    rr.set_thread_local_data_recording(rec)
    rr.log("worker", rr.Points2D([[i, i]]))  # goes to the worker's own recording
    rr.set_thread_local_data_recording(None)


threads = [threading.Thread(target=worker, args=(i,)) for i in range(3)]
for t in threads:
    t.start()
for t in threads:
    t.join()
for frame in range(3):
    rr.set_time("frame", sequence=frame)
    rr.log("camera/frame.png/marks", rr.Points2D([[4.0 + frame, 6.0]], radii=1.5, colors=[0, 255, 0]))
