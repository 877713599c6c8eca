"""The second validation process: runs queries of a shared list on a store and writes their
results (SPARQL JSON) to a file, taking the next query from a counter file both processes share.

Run as a script by path (``python store_worker.py STORE JOBS COUNTER OUT``) it opens the store
read-only (a checkpoint of the validated store) and needs only pyoxigraph, so it starts in a few
hundredths of a second; a forked copy of the validating process calls ``work`` with the
in-memory store it shares. Whoever is free takes the next query, so both cores stay busy until
the list is done however unequal the queries are.
"""

from __future__ import annotations

import fcntl
import json
import os
import struct
import sys
import time
from collections.abc import Sequence
from typing import BinaryIO, cast

from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, Store

#: Each result in the output file: the query's index and the length of its JSON, then the JSON.
HEADER = struct.Struct("<II")
#: The index of the last record: the seconds each query of this process took.
TIMES = 0xFFFFFFFE


def claim(fd: int) -> int:
    """The next index of the counter file open as ``fd`` (each index is handed out once)."""
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        raw = os.pread(fd, 8, 0)
        index = int.from_bytes(raw, "little") if len(raw) == 8 else 0
        os.pwrite(fd, (index + 1).to_bytes(8, "little"), 0)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
    return index


def claims(counter: str, total: int):  # type: ignore[no-untyped-def]
    """The indexes below ``total`` this process takes from the counter file ``counter``."""
    fd = os.open(counter, os.O_RDWR)  # an open file of its own: flock excludes per opening
    try:
        while (index := claim(fd)) < total:
            yield index
    finally:
        os.close(fd)


def work(store: Store, texts: Sequence[str], counter: str, out: BinaryIO) -> None:
    """Run the queries this process takes; write each one's results to ``out``, then the
    seconds each took (``TIMES``: JSON, ``[[index, seconds], ...]``)."""
    times = []
    for index in claims(counter, len(texts)):
        started = time.perf_counter()
        results = store.query(texts[index], use_default_graph_as_union=True)
        assert isinstance(results, QuerySolutions | QueryBoolean)  # SELECT or ASK queries
        # pyoxigraph's stubs give ``bytes | None``: it is bytes when no output is given
        data = cast(bytes, results.serialize(format=QueryResultsFormat.JSON))
        out.write(HEADER.pack(index, len(data)))
        out.write(data)
        out.flush()  # read as soon as it is complete
        times.append([index, round(time.perf_counter() - started, 6)])
    data = json.dumps(times).encode()
    out.write(HEADER.pack(TIMES, len(data)))
    out.write(data)
    out.flush()


def main(argv: Sequence[str]) -> int:
    store_path, jobs, counter, output = argv
    store = Store.read_only(store_path)
    with open(jobs, encoding="utf-8") as f:
        texts = json.load(f)
    with open(output, "wb") as out:
        work(store, texts, counter, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
