"""AssetVideo frame times from MP4 sample tables (io/mp4.py), as rerun-sdk reads them."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import annoview as rr

VIDEO = Path(__file__).parent / "compat_types" / "bframes_30fps.mp4"  # 15 frames, 30 fps, B-frames (ctts)


def test_frame_times_of_an_mp4_with_b_frames():
    times = rr.AssetVideo(path=VIDEO).read_frame_timestamps_nanos()
    assert times.dtype == np.int64
    assert times.tolist() == [round(i * 1e9 / 30) for i in range(15)]


def test_frame_times_match_rerun():
    rerun = pytest.importorskip("rerun")
    ours = rr.AssetVideo(contents=VIDEO.read_bytes(), media_type="video/mp4").read_frame_timestamps_nanos()
    assert ours.tolist() == rerun.AssetVideo(path=VIDEO).read_frame_timestamps_nanos().tolist()


def test_damaged_video_is_one_clear_error():
    data = VIDEO.read_bytes()
    for cut in range(0, len(data), 97):
        try:
            rr.AssetVideo(contents=data[:cut], media_type="video/mp4").read_frame_timestamps_nanos()
        except rr.ValidationError as e:
            assert "\n" not in str(e) and str(e).startswith("AssetVideo.blob")
    garbage = bytearray(data)
    moov = garbage.find(b"stts")
    garbage[moov + 8:moov + 12] = (10**9).to_bytes(4, "big")  # an absurd entry count
    with pytest.raises(rr.ValidationError, match="stts"):
        rr.AssetVideo(contents=bytes(garbage), media_type="video/mp4").read_frame_timestamps_nanos()
    with pytest.raises(rr.ValidationError, match="MP4 only"):
        rr.AssetVideo(contents=b"abc", media_type="video/webm").read_frame_timestamps_nanos()


@pytest.mark.skipif(not hasattr(rr.VideoFrameReference, "columns"), reason="needs columnar logging (send_columns)")
def test_frame_reference_columns_from_times():
    rerun = pytest.importorskip("rerun")
    for name, times in (("columns_nanos", np.array([0, 33_333_333], np.int64)), ("columns_secs", [0.0, 0.5]),
                        ("columns_millis", [0, 1.5]), ("columns_secs", np.array([0.0, 0.5, 2.0]))):
        ours = list(getattr(rr.VideoFrameReference, name)(times))
        theirs = list(getattr(rerun.VideoFrameReference, name)(times))
        assert [c.component_descriptor().component for c in ours] == ["VideoFrameReference:timestamp"]
        assert ours[0].as_arrow_array().to_pylist() == theirs[0].as_arrow_array().to_pylist(), name
