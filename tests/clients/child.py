"""The far end of the openalgo 2.0.5 proxy: run by the 2.0.5 venv's Python (>= 3.12),
it imports that `openalgo`, builds `api(...)` objects and runs method calls on them.

Requests are JSON lines on stdin, each answered by one JSON line on the protocol
stream (the process's original stdout; anything the library prints goes to stderr):

    {"id": 1, "op": "new", "kwargs": {"api_key": "...", "host": "http://..."}}  -> value: handle
    {"id": 2, "op": "call", "handle": 1, "method": "quotes", "args": [], "kwargs": {...}}
    {"id": 3, "op": "about"}             -> value: the openalgo, pandas and Python versions
    {"op": "close", "handle": 1}         (no answer: closes that client's connections)

An answer is `{"id", "value"}`, `{"id", "frame"}` (a pandas DataFrame, encode_frame) or
`{"id", "error": {"type", "message", "traceback"}}`. Each request runs on a thread of
its own, so concurrent callers stay concurrent (a burst from eight threads is a burst).

This file imports only the standard library here, and pandas for frames: it is also
imported by the 3.11 test process, for decode_frame and the codec's tests.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import threading
import traceback
from typing import Any


def encode_frame(frame: Any) -> dict[str, Any]:
    """A DataFrame as JSON: the index and each column with its dtype, datetimes as
    integers in their own unit (so nothing is rounded or re-zoned)."""
    return {"index": _encode_values(frame.index), "index_name": frame.index.name,
            "columns": [[name, _encode_values(frame[name])] for name in frame.columns]}


def _encode_values(values: Any) -> dict[str, Any]:
    import pandas as pd

    if isinstance(values, pd.RangeIndex):
        return {"range": [values.start, values.stop, values.step]}
    dtype = values.dtype
    if dtype.kind == "M":  # datetime64[unit] or datetime64[unit, tz]
        return {"dtype": str(dtype), "values": pd.DatetimeIndex(values).asi8.tolist()}
    return {"dtype": str(dtype), "values": values.tolist()}


def decode_frame(spec: dict[str, Any]) -> Any:
    """encode_frame's inverse (the same pandas on both sides: 3.1 today)."""
    import pandas as pd

    index = pd.Index(_decode_values(spec["index"]), name=spec["index_name"])
    columns = {name: _decode_values(values) for name, values in spec["columns"]}
    return pd.DataFrame(columns, index=index, columns=[name for name, _ in spec["columns"]])


def _decode_values(spec: dict[str, Any]) -> Any:
    import numpy as np
    import pandas as pd

    if "range" in spec:
        return pd.RangeIndex(*spec["range"])
    dtype = pd.api.types.pandas_dtype(spec["dtype"])
    if dtype.kind == "M":
        unit = np.datetime_data(dtype.base)[0]  # numpy's datetime64[us] or pandas' tz-aware
        naive = pd.DatetimeIndex(np.array(spec["values"], dtype="int64").view(f"datetime64[{unit}]"))
        tz = getattr(dtype, "tz", None)
        return (naive.tz_localize("UTC").tz_convert(tz) if tz is not None else naive).array
    return pd.array(spec["values"], dtype=dtype)


def _run(request: dict[str, Any], clients: dict[int, Any], handles: Any) -> dict[str, Any]:
    import openalgo

    op = request["op"]
    if op == "new":
        handle = next(handles)
        clients[handle] = openalgo.api(**request["kwargs"])
        return {"value": handle}
    if op == "call":
        result = getattr(clients[request["handle"]], request["method"])(
            *request.get("args", []), **request.get("kwargs", {}))
        if type(result).__name__ == "DataFrame":
            return {"frame": encode_frame(result)}
        return {"value": result}
    if op == "about":
        import pandas

        return {"value": {"openalgo": openalgo.__version__, "pandas": pandas.__version__,
                          "python": list(sys.version_info[:3])}}
    raise ValueError(f"unknown op {op!r}")


def main() -> None:
    # The protocol keeps the real stdout; fd 1 (the library's prints) becomes stderr.
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    write = threading.Lock()
    clients: dict[int, Any] = {}
    handles = itertools.count(1)

    def answer(request: dict[str, Any]) -> None:
        try:
            # A value JSON cannot carry is this call's error, not a silent str().
            line = json.dumps({"id": request["id"], **_run(request, clients, handles)})
        except BaseException as exc:
            line = json.dumps({"id": request["id"], "error": {
                "type": type(exc).__name__, "message": str(exc),
                "traceback": traceback.format_exc()}})
        with write:
            protocol.write(line + "\n")
            protocol.flush()

    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "close":
            client = clients.pop(request["handle"], None)
            if client is not None:
                client.close()
            continue
        threading.Thread(target=answer, args=(request,), daemon=True).start()
    for client in clients.values():
        client.close()


if __name__ == "__main__":
    main()
