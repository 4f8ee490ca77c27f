"""Hostile input against `annoview serve` and the SDK: crashes, tracebacks and rows lost.

Each attack runs in fresh processes (a `serve --save` child, logger children), so a crash or a
traceback is seen as it would be by a user. Run it with the interpreter of the tree to measure
(e.g. an older checkout's venv, for a before/after table). Loopback only; about a minute.

Columns: cases tried, crashes (a process killed by a signal, or a server that stopped
accepting), tracebacks printed, rows lost (rows a logger's rr.log accepted that are not in the
file; for --save attacks, rows of an existing recording destroyed), user exceptions (raised
into the logging script in non-strict mode), and the serve process's peak resident memory.
Last line: `total crashes=C tracebacks=T rows_lost=R user_exceptions=U`.
"""
from __future__ import annotations

import re
import socket
import struct
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

PY = sys.executable
TIMEOUT = 60

LOGGER = """
import sys, numpy as np, annoview as rr
addr, rec_id, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
rr.init("streamer", recording_id=rec_id)
rr.connect(addr)
for i in range(n):
    rr.set_time("frame", sequence=i)
    rr.log("points", rr.Points2D(np.full((4, 2), i, np.float32)))
"""

COUNT = """
import sys
from annoview.io.avr import read_avr
try:
    print(sum(c.num_rows for c in read_avr(sys.argv[1]) if len(sys.argv) < 3 or c.entity_path == sys.argv[2]))
except Exception as e:
    print(0)
"""


def run_py(code: str, *args: str, timeout: float = TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-c", textwrap.dedent(code), *args], capture_output=True, text=True, timeout=timeout)


def rows_in(path: Path, entity: str | None = None) -> int:
    r = run_py(COUNT, str(path), *([entity] if entity else []))
    return int(r.stdout.strip() or 0)


class Serve:
    def __init__(self, path: Path, *extra: str) -> None:
        self.proc = subprocess.Popen([PY, "-m", "annoview.app.cli", "serve", "--save", str(path), "--port", "0", *extra],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True)
        self.lines: list[str] = []
        self.port = 0
        ready = threading.Event()

        def read() -> None:
            for line in self.proc.stderr:
                self.lines.append(line)
                if m := re.search(r"listening on 127\.0\.0\.1:(\d+)", line):
                    self.port = int(m.group(1))
                    ready.set()
            ready.set()

        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()
        ready.wait(TIMEOUT)

    def accepting(self) -> bool:
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            s.sendall(b"AVRSTRM1" + struct.pack("<II", 1, 2) + b"{}")
            s.settimeout(10)
            got = s.recv(1)
            s.close()
            return bool(got)  # a REJECT byte: the listener answered
        except OSError:
            return False

    def peak_mib(self) -> float:
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
            return int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
        except (OSError, AttributeError):
            return 0.0

    def stop(self) -> tuple[bool, bool]:
        """(crashed, traceback)."""
        self.peak = self.peak_mib()
        alive = self.proc.poll() is None
        accepting = alive and self.accepting()
        if alive:
            self.proc.terminate()
        try:
            self.proc.wait(TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(5)
        text = "".join(self.lines)
        return (not accepting) or self.proc.returncode < 0, "Traceback" in text


def handshake(rec_id: str) -> bytes:
    body = ('{"application_id": "x", "recording_id": "%s", "pid": 1}' % rec_id).encode()
    return b"AVRSTRM1" + struct.pack("<II", 1, len(body)) + body


def connect(port: int, data: bytes = b"") -> socket.socket | None:
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        if data:
            s.sendall(data)
        return s
    except OSError:
        return None


def logger_rows(serve: Serve, path: Path, rec_id: str, n: int = 200) -> tuple[int, bool]:
    """Run a real logger; (rows lost, traceback)."""
    r = run_py(LOGGER, f"127.0.0.1:{serve.port}", rec_id, str(n))
    time.sleep(0.3)
    return n, "Traceback" in r.stderr


# ---------------------------------------------------------------------------------------------
# server attacks


def server_attack(name: str, tmp: Path, make_attackers, rows: int = 200) -> dict:
    path = tmp / (re.sub(r"[^A-Za-z0-9]+", "-", name) + ".avr")
    serve = Serve(path)
    attackers, stop = make_attackers(serve.port)
    try:
        n, tb = logger_rows(serve, path, "real", rows)
    finally:
        stop.set()
        crashed, stb = serve.stop()
        for s in attackers:
            if s is not None:
                s.close()
    got = rows_in(path, "/points")
    if crashed or got != n:  # say why, for whoever reads the table
        tail = [ln for ln in serve.lines if "busy" not in ln and "connected:" not in ln and "appended" not in ln]
        print(f"[{name}] serve said:\n" + "".join(tail[-6:]), file=sys.stderr)
    return dict(attack=name, cases=1, crashes=int(crashed), tracebacks=int(tb or stb), rows_lost=n - got, user_exc=0,
                peak=serve.peak)


def idle_handshaken(port: int):
    socks = [connect(port, handshake(f"idle{i}")) for i in range(64)]
    return socks, threading.Event()


def never_handshake(port: int):
    return [connect(port) for _ in range(64)], threading.Event()


def slowloris(port: int):
    socks = [connect(port, handshake(f"slow{i}") + struct.pack("<BII", 1, 1 << 30, 0)) for i in range(64)]
    stop = threading.Event()

    def trickle() -> None:
        while not stop.wait(0.5):
            for s in socks:
                try:
                    if s is not None:
                        s.send(b"x")
                except OSError:
                    pass

    threading.Thread(target=trickle, daemon=True).start()
    return socks, stop


def deep_json(port: int):
    body = b"[" * 30_000 + b"]" * 30_000
    socks = [connect(port, b"AVRSTRM1" + struct.pack("<II", 1, len(body)) + body) for _ in range(3)]
    time.sleep(0.5)
    return socks, threading.Event()


def bad_port(tmp: Path) -> dict:
    r = subprocess.run([PY, "-m", "annoview.app.cli", "serve", "--save", str(tmp / "p.avr"), "--port", "99999"],
                       capture_output=True, text=True, timeout=TIMEOUT)
    return dict(attack="serve --port 99999", cases=1, crashes=0, tracebacks=int("Traceback" in r.stderr),
                rows_lost=0, user_exc=0)


def make_recording(path: Path, rows: int = 20) -> None:
    run_py("""
        import sys, annoview as rr
        rr.init("orig", recording_id="orig"); rr.save(sys.argv[1])
        for i in range(int(sys.argv[2])):
            rr.set_time("frame", sequence=i); rr.log("points", rr.Points2D([[i, i]]))
    """, str(path), str(rows))


def symlink_clobber(tmp: Path) -> dict:
    target = tmp / "precious.avr"
    make_recording(target)
    original = target.read_bytes()
    link = tmp / "link.avr"
    link.symlink_to(target)
    serve = Serve(link)
    tb = False
    if serve.port:
        _, tb = logger_rows(serve, link, "intruder", 20)
    crashed, stb = serve.stop() if serve.port else (False, "Traceback" in "".join(serve.lines))
    lost = 0 if target.read_bytes() == original else 20  # the symlink's target was overwritten
    return dict(attack="serve --save SYMLINK", cases=1, crashes=0, tracebacks=int(tb or stb), rows_lost=lost, user_exc=0)


def empty_at_stop(tmp: Path) -> dict:
    path = tmp / "existing.avr"
    make_recording(path)
    lost, tbs = 0, 0
    for extra in ((), ("--force",)):
        serve = Serve(path, *extra)
        if serve.port:
            _, stb = serve.stop()
        else:
            serve.proc.wait(TIMEOUT)
            serve.reader.join(5)
            stb = "Traceback" in "".join(serve.lines)
        tbs += stb
        lost = max(lost, 20 - rows_in(path, "/points"))
    return dict(attack="serve --save EXISTING, no logger", cases=2, crashes=0, tracebacks=tbs, rows_lost=lost, user_exc=0)


# ---------------------------------------------------------------------------------------------
# SDK attacks (non-strict, the default)

SDK_CASE = """
import sys, datetime, warnings, numpy as np, annoview as rr
warnings.simplefilter("ignore")
path, case = sys.argv[1], sys.argv[2]
exc = 0
def guard(f):
    global exc
    try:
        f()
    except Exception as e:
        exc += 1
app = "app\\udc80" if case == "appid" else "app"
try:
    rr.init(app, recording_id="r")
    rr.save(path)
except Exception:
    exc += 1
    rr.init("app", recording_id="r"); rr.save(path)
bad = {"seq": dict(sequence=2**63), "ts": dict(timestamp=1e12), "tdmax": dict(duration=datetime.timedelta.max),
       "dtmin": dict(timestamp=datetime.datetime.min)}
for i in range(200):
    if case in ("seq",):
        guard(lambda: rr.set_time("t", sequence=i if i != 100 else 2**63))
    elif case in bad:
        guard(lambda: rr.set_time("t", duration=i) if case == "tdmax" else rr.set_time("t", timestamp=1.7e9 + i))
        if i == 100:
            guard(lambda: rr.set_time("t", **bad[case]))
    else:
        rr.set_time("t", sequence=i)
    guard(lambda: rr.log("pts", rr.Points2D([[i, i]])))
if case == "label":
    guard(lambda: rr.log("pts", rr.Points2D([[0, 0]], labels="\\udc80")))
elif case == "path":
    guard(lambda: rr.log("pts\\udc80", rr.Points2D([[0, 0]])))
elif case == "context":
    guard(lambda: rr.log("/", rr.AnnotationContext([(1, "\\udc80")]), static=True))
elif case == "appid":
    guard(lambda: rr.log("pts", rr.Points2D([[0, 0]])))
print("exc", exc)
"""


def sdk_case(tmp: Path, case: str, expected: int) -> tuple[int, int, int, int]:
    path = tmp / f"sdk-{case}.avr"
    r = run_py(SDK_CASE, str(path), case)
    m = re.search(r"exc (\d+)", r.stdout)
    exc = int(m.group(1)) if m else 1
    crashed = int(r.returncode < 0)
    return crashed, int("Traceback" in r.stderr), expected - rows_in(path), exc


def sdk_group(tmp: Path, name: str, cases: dict[str, int]) -> dict:
    out = dict(attack=name, cases=len(cases), crashes=0, tracebacks=0, rows_lost=0, user_exc=0)
    for case, expected in cases.items():
        c, t, lost, exc = sdk_case(tmp, case, expected)
        out["crashes"] += c
        out["tracebacks"] += t
        out["rows_lost"] += max(lost, 0)
        out["user_exc"] += exc
    return out


RACE = """
import sys, threading, annoview as rr
rr.init("race", recording_id="race"); rr.save(sys.argv[1])
def work(t):
    for i in range(1500):
        rr.set_time("frame", sequence=i); rr.log(f"t{t}", rr.Points2D([[t, i]]))
for t in [threading.Thread(target=work, args=(t,)) for t in range(16)]:
    t.start()
"""


def close_race(tmp: Path, runs: int = 3) -> dict:
    out = dict(attack="16 threads x 1500 rows, exit", cases=runs, crashes=0, tracebacks=0, rows_lost=0, user_exc=0)
    for k in range(runs):
        path = tmp / f"race{k}.avr"
        r = run_py(RACE, str(path))
        out["crashes"] += int(r.returncode < 0)
        out["tracebacks"] += int("Traceback" in r.stderr)
        out["rows_lost"] += 24_000 - rows_in(path)
    return out


def stream_exit_race(tmp: Path, runs: int = 5) -> dict:
    out = dict(attack="logger exits right after logging (stream)", cases=runs, crashes=0, tracebacks=0, rows_lost=0,
               user_exc=0)
    for k in range(runs):
        path = tmp / f"exit{k}.avr"
        serve = Serve(path)
        n, tb = logger_rows(serve, path, f"exit{k}", 200)
        crashed, stb = serve.stop()
        out["crashes"] += int(crashed)
        out["tracebacks"] += int(tb or stb)
        out["rows_lost"] += n - rows_in(path, "/points")
    return out


DISK_FULL = """
import sys, warnings, annoview as rr
warnings.simplefilter("always")
rr.init("full", recording_id="full"); rr.save(sys.argv[1])
rec = rr.get_global_data_recording()
w = rec._sink._writer
w._file.close(); w._file = open("/dev/full", "wb", buffering=0)
exc = 0
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for i in range(20000):
        try:
            rr.set_time("frame", sequence=i); rr.log("p", rr.Points2D([[i, i]]))
        except Exception:
            exc += 1
        if i % 200 == 0:
            try:
                rr.flush()
            except Exception:
                exc += 1
print("exc", exc, "warnings", len(caught))
"""


def disk_full(tmp: Path) -> dict:
    r = run_py(DISK_FULL, str(tmp / "full.avr"))
    m = re.search(r"exc (\d+) warnings (\d+)", r.stdout)
    exc, warns = (int(m.group(1)), int(m.group(2))) if m else (1, -1)
    return dict(attack=f"disk full (/dev/full), 20000 rows: {warns} warnings", cases=1, crashes=int(r.returncode < 0),
                tracebacks=int("Traceback" in r.stderr), rows_lost=0, user_exc=exc)


ANNOT = """
import warnings, annoview as rr
warnings.simplefilter("ignore")
exc = 0
for f in (lambda: rr.ClassDescription(info=1, keypoint_connections="ab"), lambda: rr.AnnotationInfo(id=-1),
          lambda: rr.AnnotationInfo(1, label=5)):
    try:
        f()
    except Exception:
        exc += 1
print("exc", exc)
"""

AFTER_DISCONNECT = """
import sys, warnings, annoview as rr
rr.init("d", recording_id="d"); rr.save(sys.argv[1])
rr.log("p", rr.Points2D([[0, 0]]))
rr.disconnect()
for i in range(50):
    rr.log("p", rr.Points2D([[i, i]]))
"""


def annotations(tmp: Path) -> dict:
    r = run_py(ANNOT)
    m = re.search(r"exc (\d+)", r.stdout)
    return dict(attack="annotation constructors (3)", cases=3, crashes=0, tracebacks=int("Traceback" in r.stderr),
                rows_lost=0, user_exc=int(m.group(1)) if m else 3)


def after_disconnect(tmp: Path) -> dict:
    r = run_py(AFTER_DISCONNECT, str(tmp / "d.avr"))
    warned = "after the last rr.disconnect" in r.stderr
    return dict(attack=f"50 rows after rr.disconnect(): {'warned' if warned else 'silent'}", cases=1, crashes=0,
                tracebacks=int("Traceback" in r.stderr), rows_lost=0 if warned else 50, user_exc=0)


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="hostile-"))
    results = [
        server_attack("64 idle handshaken + logger", tmp, idle_handshaken),
        server_attack("64 never-handshaking + logger", tmp, never_handshake),
        server_attack("64 slowloris (1 B/0.5 s) + logger", tmp, slowloris),
        server_attack("deep JSON handshake x3 + logger", tmp, deep_json),
        bad_port(tmp),
        symlink_clobber(tmp),
        empty_at_stop(tmp),
        sdk_group(tmp, "set_time out of int64 (4 kinds)", {"seq": 200, "ts": 200, "tdmax": 200, "dtmin": 200}),
        sdk_group(tmp, "lone surrogate (label/path/ctx/app id)", {"label": 201, "path": 201, "context": 201,
                                                                  "appid": 201}),
        close_race(tmp),
        stream_exit_race(tmp),
        disk_full(tmp),
        annotations(tmp),
        after_disconnect(tmp),
    ]
    print(f"{'attack':46s} {'cases':>5s} {'crashes':>7s} {'tracebacks':>10s} {'rows lost':>9s} {'user exc':>8s} "
          f"{'serve peak MiB':>14s}")
    for r in results:
        peak = f"{r['peak']:14.0f}" if r.get("peak") else f"{'-':>14s}"
        print(f"{r['attack'][:46]:46s} {r['cases']:5d} {r['crashes']:7d} {r['tracebacks']:10d} {r['rows_lost']:9d} "
              f"{r['user_exc']:8d} {peak}")
    tot = {k: sum(r[k] for r in results) for k in ("crashes", "tracebacks", "rows_lost", "user_exc")}
    print(f"total crashes={tot['crashes']} tracebacks={tot['tracebacks']} rows_lost={tot['rows_lost']} "
          f"user_exceptions={tot['user_exc']}")


if __name__ == "__main__":
    main()
