"""CLI behaviour around the edges: --version, mistyped commands, the mode of converted files,
empty recordings, and error text without Python bytes literals."""
from __future__ import annotations

import os
import stat

import pytest

from annoview.app import cli
from annoview.errors import RecordingRecoveryWarning
from annoview.io.avr import AvrWriter


def test_version(capsys):
    assert cli.main(["--version"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("annoview ") and out.strip() != "annoview"


def test_mistyped_command_is_named_with_a_suggestion(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["inf", "run.avr"]) == 2
    assert capsys.readouterr().err == "annoview: error: unknown command 'inf' (did you mean 'info'?)\n"
    assert cli.main(["scrrenshot", "x"]) == 2
    assert "did you mean 'screenshot'?" in capsys.readouterr().err
    assert cli.main(["frobnicate"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("annoview: error: unknown command 'frobnicate'; commands: ") and "info" in err


def test_converted_file_follows_the_umask(tmp_path):
    src, dst = tmp_path / "in.avr", tmp_path / "out.avr"
    AvrWriter(src, "app").close()
    old = os.umask(0o022)
    try:
        assert cli.main(["convert", str(src), str(dst), "--no-progress"]) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(dst.stat().st_mode) == 0o644  # mkstemp alone would give 0600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.avr", "out.avr"]


def test_empty_file_is_an_empty_recording_in_info_and_viewer(tmp_path, capsys):
    from annoview.app.viewer.loader import FileLoader
    from annoview.store import Store

    path = tmp_path / "empty.avr"
    path.write_bytes(b"")
    with pytest.warns(RecordingRecoveryWarning, match="ends inside its header"):
        assert cli.main(["info", str(path)]) == 0
    loader = FileLoader(str(path), Store())
    loader.run_here()
    assert "chunks: 0, rows: 0" in capsys.readouterr().out
    assert loader.progress.state == "done" and loader.progress.warnings == 1


def test_not_a_recording_error_has_no_bytes_literal(tmp_path, capsys):
    path = tmp_path / "x.avr"
    path.write_bytes(b"GIF89a" + b"\0" * 40)
    assert cli.main(["info", str(path)]) == 1
    err = capsys.readouterr().err
    assert "does not start with ANNOVIEW" in err and "b'" not in err


def _all_parsers():
    import argparse

    from annoview.app import viewer_command

    parser = cli.build_parser()
    subs = parser._subparsers._group_actions[0].choices
    return [("annoview", parser), *subs.items(), ("viewer", viewer_command.build_parser())], argparse


def test_every_option_has_help_and_subcommand_usage_is_its_own():
    parsers, argparse = _all_parsers()
    missing = [f"{name} {a.option_strings or a.dest}" for name, p in parsers for a in p._actions
               if not isinstance(a, argparse._SubParsersAction) and not a.help]
    assert missing == []
    for name, p in parsers:
        if name in ("annoview", "viewer"):
            continue
        usage = p.format_usage()
        assert usage.startswith(f"usage: annoview {name} [-h]"), usage
        assert "COMMAND" not in usage and "viewer options" not in usage


def test_serve_with_a_port_out_of_range_is_one_line(tmp_path, capsys):
    assert cli.main(["serve", "--save", str(tmp_path / "s.avr"), "--port", "99999"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "--port 99999" in err
    assert not (tmp_path / "s.avr").exists()


def test_stream_reject_message_has_no_bytes_literal():
    from annoview.errors import RecordingFormatError
    from annoview.io.tcp_server import parse_handshake

    with pytest.raises(RecordingFormatError) as e:
        parse_handshake(bytearray(b"GET / HTTP/1.1\r\n"))
    assert "expected the magic AVRSTRM1" in str(e.value) and "b'" not in str(e.value)


def test_timestamp_components_read_as_dates():
    """`annoview info` shows a recording's start time (a Timestamp component) as a date, not as
    nanoseconds since the epoch."""
    import numpy as np

    from annoview.types.display import short_value

    ns = np.array([1_796_049_539_104_336_738], np.int64)
    assert short_value(ns, 70, "rerun.components.Timestamp") == "2026-11-30 14:38:59.104Z"
    assert short_value(ns, 70, "rerun.components.Other") == "1796049539104336738"
