"""Mutate valid chunk payloads (bytes, int32 and int64 fields set to edge values) and decode each
with Chunk.from_ipc; every payload it accepts is then used like a reader would (row ids, times,
every cell of every column, re-encoding). Run in a subprocess: a crash ends it.

    python fuzz_chunks.py SEED COUNT      -> prints {"refused": n, "accepted": m}
"""
from __future__ import annotations

import json
import random
import struct
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases as hc  # noqa: E402

from annoview.chunk import Chunk  # noqa: E402
from annoview.errors import RecordingFormatError  # noqa: E402

EDGE_I32 = (-1, 0, 1, 7, 1 << 20, 2**31 - 1, -2**31)
EDGE_I64 = (-1, 0, 3, 1 << 40, 2**63 - 1)


def mutate(data: bytearray, rng: random.Random) -> bytes:
    for _ in range(rng.randint(1, 4)):
        pos = rng.randrange(len(data))
        r = rng.random()
        if r < 0.4:
            data[pos] = rng.randrange(256)
        elif r < 0.7:
            data[pos:pos + 4] = struct.pack("<i", rng.choice(EDGE_I32))
        else:
            data[pos:pos + 8] = struct.pack("<q", rng.choice(EDGE_I64))
    return bytes(data)


def use(chunk: Chunk) -> None:
    chunk.row_ids()
    for name in chunk.timelines:
        chunk.times(name)
    for comp in chunk.component_names:
        col = chunk.column(comp)
        for row in range(chunk.num_rows):
            col.cell(row)
    chunk.to_ipc()


def main() -> None:
    seed, count = int(sys.argv[1]), int(sys.argv[2])
    rng = random.Random(seed)
    bases = [c.to_ipc() for c in hc.good_chunks() + [hc.dictionary_chunk()]] + [hc.chunk_context_nulls()[0]]
    stats = {"refused": 0, "accepted": 0}
    for _ in range(count):
        try:
            chunk = Chunk.from_ipc(mutate(bytearray(rng.choice(bases)), rng))
        except RecordingFormatError:
            stats["refused"] += 1
            continue
        stats["accepted"] += 1
        use(chunk)
    print(json.dumps(stats))


if __name__ == "__main__":
    main()
