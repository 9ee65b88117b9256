"""Equity MIS routed as cash (EQUITY_MIS_AS_CASH=true) and the platform's own square-off
at MIS_SQUAREOFF_TIME: working MIS orders cancelled, MIS positions closed, the rest left
alone. The square-off time is set a few seconds after the platform starts."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest

from algodesk.brokers.icici.formats import IST
from tests.conftest import SimulatorProcess
from tests.orders.conftest import Desk, open_desk
from tests.orders.helpers import below_market, future, order_of, position, wait_for

# The square-off time is fixed when the platform starts, so it must lie beyond the desk's
# set-up and the orders: 20 s ran out on a loaded 2-core machine (about 22 s there).
LEAD_SECONDS = 40


# A platform per test, not per module: the test runs once with each openalgo client, and
# the second run needs a square-off still ahead of it.
@pytest.fixture
def squareoff_at() -> dt.datetime:
    return (dt.datetime.now(IST) + dt.timedelta(seconds=LEAD_SECONDS)).replace(microsecond=0)


@pytest.fixture
def desk(tmp_path_factory: pytest.TempPathFactory,
         simulator_factory: Callable[..., SimulatorProcess],
         squareoff_at: dt.datetime) -> Iterator[Desk]:
    opened = open_desk(tmp_path_factory.mktemp("mis"), simulator_factory, env={
        "EQUITY_MIS_AS_CASH": "true", "MIS_SQUAREOFF_TIME": squareoff_at.strftime("%H:%M:%S")})
    try:
        yield opened
    finally:
        opened.platform.stop()


def test_mis_is_placed_as_cash_then_squared_off_at_the_set_time(
        desk: Desk, squareoff_at: dt.datetime) -> None:
    c = desk.client
    bought = c.placeorder(strategy="intraday", symbol="SBIN", action="BUY", exchange="NSE",
                          price_type="MARKET", product="MIS", quantity=2)
    assert bought["status"] == "success", bought
    row = order_of(desk, bought["orderid"])
    assert (row["product"], row["order_status"]) == ("MIS", "complete")
    at_broker = desk.direct(lambda cl: cl.get_order_detail("NSE", bought["orderid"]))[0]
    assert at_broker.product_type == "Cash"  # Breeze's only intraday product is banned
    assert position(desk, "SBIN", "NSE", "MIS") == 2

    fut = future(desk, "NFO", "NIFTY")
    short = c.placeorder(symbol=fut["symbol"], action="SELL", exchange="NFO",
                         price_type="MARKET", product="MIS", quantity=fut["lotsize"])
    assert short["status"] == "success", short
    resting = c.placeorder(symbol="SBIN", action="BUY", exchange="NSE", price_type="LIMIT",
                           product="MIS", quantity=1,
                           price=str(below_market(desk.ltp("STABAN", "NSE").ltp,
                                                  Decimal("0.05"))))
    kept = c.placeorder(symbol="ITC", action="BUY", exchange="NSE", price_type="MARKET",
                        product="CNC", quantity=1)
    assert resting["status"] == kept["status"] == "success"
    assert position(desk, fut["symbol"], "NFO", "MIS") == -fut["lotsize"]
    assert dt.datetime.now(IST) < squareoff_at, "set-up took longer than the lead time"

    time.sleep(max((squareoff_at - dt.datetime.now(IST)).total_seconds(), 0))
    assert wait_for(lambda: position(desk, "SBIN", "NSE", "MIS") == 0 and
                    position(desk, fut["symbol"], "NFO", "MIS") == 0, timeout=20)
    assert order_of(desk, resting["orderid"])["order_status"] == "cancelled"
    assert position(desk, "ITC", "NSE", "CNC") == 1  # not MIS: left alone
    closing = [o for o in c.orderbook()["data"]["orders"] if o["strategy"] == "Squareoff"]
    assert sorted((o["symbol"], o["action"], o["quantity"], o["product"]) for o in closing) == \
        sorted([("SBIN", "SELL", 2, "MIS"), (fut["symbol"], "BUY", fut["lotsize"], "MIS")])
    assert all(o["order_status"] == "complete" for o in closing)
