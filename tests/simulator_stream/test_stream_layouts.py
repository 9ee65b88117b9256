"""Every exchange's arrays in ICICI's layout (reference §10.3), read by a plain client.

The SDK's parser accepts anything of the right length, so the element counts and
types are checked here on the raw arrays, for each exchange prefix."""

from __future__ import annotations

from typing import Any

import pytest
import socketio

from tests.conftest import SimulatorProcess
from tests.simulator_stream.streamkit import Collector, master_tokens

pytestmark = pytest.mark.timeout(60)


def _any_token(names_to_tokens: dict[str, str], prefix: str = "") -> str:
    """A real token (the SDK also files the header row, under "Token")."""
    return next(token for name, token in names_to_tokens.items()
                if name.startswith(prefix) and token.isdigit())


def test_tick_and_depth_layouts_per_exchange(breeze: Any, simulator: SimulatorProcess) -> None:
    bse, _, _, mcx, nfo, bfo = breeze.stock_script_dict_list
    wanted = {
        "bse": f"1.1!{_any_token(bse)}", "bse_depth": f"1.2!{_any_token(bse)}",
        "bfo": f"8.1!{_any_token(bfo, 'OPT-')}", "bfo_depth": f"8.2!{_any_token(bfo, 'OPT-')}",
        "nfo_depth": f"4.2!{_any_token(nfo, 'OPT-')}",
        "ndx": f"13.1!{master_tokens(simulator, 'CDNSEScripMaster.txt', 1)[0]}",
        "mcx": f"6.1!{_any_token(mcx)}", "index": "4.1!NIFTY 50",
    }
    client = socketio.Client(reconnection=False)
    got = Collector()
    client.on("stock", got)
    client.connect(simulator.base_url, transports="websocket", wait_timeout=3,
                   auth={"user": breeze.user_id, "token": breeze.session_key})
    try:
        client.emit("join", list(wanted.values()))
        got.wait_for(lambda f: True, count=3 * len(wanted))
        frames = {name: got.wait_for(lambda f, t=token: f[0] == t, timeout=1)[0]
                  for name, token in wanted.items()}
    except AssertionError:
        raise AssertionError(
            f"wanted {wanted}, got {sorted({f[0] for f in got.items()})}") from None
    finally:
        client.disconnect()

    assert len(frames["bse"]) == 21 and isinstance(frames["bse"][15], str)
    assert isinstance(frames["bse"][19], int)  # ltt, epoch seconds
    for name, width in (("bse_depth", 4), ("bfo_depth", 6), ("nfo_depth", 8)):
        _, epoch, levels = frames[name]
        assert isinstance(epoch, int) and len(levels) == 5
        assert {len(level) for level in levels} == {width}, name
    assert len(frames["bfo"]) == 23 and isinstance(frames["bfo"][17], float)  # ttv, number
    assert len(frames["ndx"]) == 23 and frames["ndx"][17][-1] in "CL"
    mcx_frame = frames["mcx"]
    assert len(mcx_frame) == 27 and all(len(level) == 8 for level in mcx_frame[22:])
    assert all(isinstance(value, int) for value in mcx_frame[12:16])  # paise
    index = frames["index"]
    assert len(index) == 21 and index[6:10] == [None, None, None, None]
    assert index[2] > 0 and index[17] is None and index[18] is None
