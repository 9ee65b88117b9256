"""The OHLCV stream's minute, 5-minute and 30-minute candles, raw, against v2 history.

The simulator's clock is moved to just before a half-hour boundary (admin API), so all
four intervals close within seconds instead of half an hour."""

from __future__ import annotations

import math
import time
from datetime import datetime
from typing import Any

import pytest
import socketio

from tests.conftest import SimulatorProcess
from tests.simulator.test_breeze_sdk import ok
from tests.simulator_stream.streamkit import RELIND, Collector

pytestmark = pytest.mark.timeout(90)

EVENTS = {"1SEC": "1second", "1MIN": "1minute", "5MIN": "5minute", "30MIN": "30minute"}


def test_every_interval_closes_with_historys_candle(
        breeze: Any, simulator: SimulatorProcess) -> None:
    now = time.time()
    boundary = (math.floor(now / 1800) + 1) * 1800  # IST is UTC+5:30: same half hours
    simulator.admin("clock", {"offset_seconds": boundary - 3.0 - now})
    got = Collector()
    client = socketio.Client(reconnection=False)
    for event in EVENTS:
        client.on(event, got)
    client.connect(simulator.base_url, socketio_path="ohlcvstream", transports="websocket",
                   auth={"user": breeze.user_id, "token": breeze.session_key},
                   wait_timeout=3)
    try:
        client.emit("join", RELIND)
        lines = {event: got.wait_for(lambda line, e=event: line.endswith("," + e),
                                     timeout=20)[0]
                 for event in EVENTS}
    finally:
        client.disconnect()
    fmt = "%Y-%m-%dT%H:%M:%S.000Z"
    for event, line in lines.items():
        fields = line.split(",")
        assert len(fields) == 9 and fields[:2] == ["NSE", "RELIND"], line
        low, high, open_, close = (float(v) for v in fields[2:6])
        assert low <= min(open_, close) <= max(open_, close) <= high
        start = datetime.strptime(fields[7], "%Y-%m-%d %H:%M:%S")
        rows = ok(breeze.get_historical_data_v2(
            interval=EVENTS[event], from_date=start.strftime(fmt), to_date=start.strftime(fmt),
            stock_code="RELIND", exchange_code="NSE", product_type="cash"))
        row = next(r for r in rows if r["datetime"] == fields[7])
        assert [low, high, open_, close] == [row["low"], row["high"], row["open"],
                                             row["close"]], (event, line, row)
        assert int(fields[6]) == row["volume"]
    starts = {event: datetime.strptime(lines[event].split(",")[7], "%Y-%m-%d %H:%M:%S")
              for event in ("1MIN", "5MIN", "30MIN")}
    closes = {event: starts[event].timestamp() + step
              for event, step in (("1MIN", 60), ("5MIN", 300), ("30MIN", 1800))}
    assert len(set(closes.values())) == 1  # all three closed at the same half hour


def test_derivative_lines_and_bfos_ohlcv_prefix(breeze: Any, simulator: SimulatorProcess) -> None:
    """Options carry 13 fields, futures 11; BFO is `2.` on this stream (`8.` elsewhere)."""
    _, _, _, _, nfo, bfo = breeze.stock_script_dict_list
    future = next(t for name, t in nfo.items() if name.startswith("FUT-") and t.isdigit())
    option = next(t for name, t in bfo.items() if name.startswith("OPT-") and t.isdigit())
    wanted = {f"4.1!{future}": 11, f"2.1!{option}": 13}
    got = Collector()
    client = socketio.Client(reconnection=False)
    client.on("1SEC", got)
    client.connect(simulator.base_url, socketio_path="ohlcvstream", transports="websocket",
                   auth={"user": breeze.user_id, "token": breeze.session_key},
                   wait_timeout=3)
    try:
        client.emit("join", list(wanted))
        future_line = got.wait_for(lambda line: line.startswith("NFO,"))[0]
        option_line = got.wait_for(lambda line: line.startswith("BFO,"))[0]
    finally:
        client.disconnect()
    assert len(future_line.split(",")) == 11 and future_line.endswith(",1SEC")
    fields = option_line.split(",")
    assert len(fields) == 13 and fields[4] in ("CE", "PE") and "." in fields[3]
    datetime.strptime(fields[2], "%d-%b-%Y")  # expiry as ICICI writes it
