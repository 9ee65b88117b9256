"""optiongreeks at a pinned valuation instant: `OptionsService` with its clock fixed and
the broker's option-chain row priced by Black-76 at a known volatility, so the expected
answer follows from the instant alone — whatever day and hour the suite runs.

The service's promises checked here: `days_to_expiry` is the time to 15:30 IST of the
expiry day to 1e-6 days; the solver reproduces the price it was given (to 1e-12 of it,
undiscounted) so the returned volatility, rounded to 1e-6 percentage points, prices the
option back to well within a paisa; an option past its expiry instant is refused.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from algodesk.domain import Exchange, InstrumentType
from algodesk.domain.market import OptionChainRow, Quote
from algodesk.instruments.model import Instrument
from algodesk.market import greeks
from algodesk.market.market_data import MarketDataError
from algodesk.market.options import OptionsService
from tests.market.test_units import reference

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))
EXPIRY = dt.date(2026, 12, 8)  # a Tuesday: NIFTY's weekly expiry
EXPIRES_AT = dt.datetime(2026, 12, 8, 15, 30, tzinfo=IST)
FORWARD, STRIKE, VOL, RATE = 24_104.0, 24_100.0, 0.13, 0.05
SPOT = 24_098.0


def _option(right: str) -> Instrument:
    kind = InstrumentType.CE if right == "call" else InstrumentType.PE
    return Instrument(f"NIFTY08DEC2624100{kind.value}", Exchange.NFO, "NIFTY", kind, 65,
                      Decimal("0.05"), 0, "40001", "", "NIFTY", "NFO", "options", EXPIRY,
                      Decimal(STRIKE), right)


class _Broker:
    """The broker's one-strike option-chain read (both sides, with the spot), priced at
    VOL for the time left at `now`."""

    def __init__(self, now: float) -> None:
        self.years = (EXPIRES_AT.timestamp() - now) / greeks.YEAR_SECONDS

    def option_chain_exchanges(self) -> tuple[str, ...]:
        return ("NFO",)

    async def option_chain(self, underlying: str, exchange: str, expiry: dt.date, *,
                           strike: Decimal | None = None) -> list[OptionChainRow]:
        assert (underlying, exchange, expiry, strike) == ("NIFTY", "NFO", EXPIRY, STRIKE)
        sides = []
        for right, call in (("call", True), ("put", False)):
            price = greeks.black76_price(FORWARD, STRIKE, self.years, RATE, VOL, call)
            sides.append(Quote(_option(right).symbol, "NFO", Decimal(repr(price)),
                               underlying_price=Decimal(SPOT)))
        return [OptionChainRow(Decimal(STRIKE), *sides)]


class _Market:
    """The two instruments the service looks up, and the broker; no quote is read."""

    def __init__(self, broker: _Broker) -> None:
        self.broker = broker

    def instrument(self, symbol: str, exchange: str) -> Instrument:
        return next(i for i in map(_option, ("call", "put")) if i.symbol == symbol)


def _service(now: dt.datetime) -> OptionsService:
    moment = now.timestamp()
    return OptionsService(_Market(_Broker(moment)), clock=lambda: moment)  # type: ignore[arg-type]


@pytest.mark.parametrize("now", [
    dt.datetime(2026, 12, 8, 15, 29, tzinfo=IST),  # expiry day, one minute before close
    dt.datetime(2026, 12, 8, 9, 15, tzinfo=IST),  # expiry day's open
    dt.datetime(2026, 12, 7, 23, 59, 59, tzinfo=IST),  # the evening before
    dt.datetime(2026, 12, 5, 12, 0, tzinfo=IST),  # a Saturday
    dt.datetime(2026, 11, 10, 15, 29, tzinfo=IST),  # four weeks out
], ids=["1min", "open", "eve", "saturday", "4weeks"])
@pytest.mark.parametrize("right", ["call", "put"])
async def test_greeks_at_a_pinned_instant(now: dt.datetime, right: str) -> None:
    call = right == "call"
    reply = await _service(now).greeks(_option(right).symbol, "NFO", interest_rate=RATE * 100)
    seconds_left = (EXPIRES_AT - now).total_seconds()
    assert reply["days_to_expiry"] == round(seconds_left / 86_400, 6)
    years = seconds_left / greeks.YEAR_SECONDS
    # The forward comes back from put-call parity of the two prices at this strike.
    assert reply["forward_price"] == pytest.approx(FORWARD, rel=1e-9)
    assert reply["spot_price"] == SPOT
    iv = reply["implied_volatility"] / 100
    # The volatility the prices were made with, to the reply's rounding (1e-8 of a unit).
    assert iv == pytest.approx(VOL, abs=1e-8)
    repriced = greeks.black76_price(reply["forward_price"], STRIKE, years, RATE, iv, call)
    assert repriced == pytest.approx(reply["option_price"], abs=0.001)  # a tenth of a paisa
    # An independent solve of the same inputs agrees on every Greek (the reply rounds
    # delta, theta, vega and rho to 1e-8, gamma to 1e-10).
    ref = reference(reply["option_price"], reply["forward_price"], STRIKE, years, RATE, call)
    assert iv == pytest.approx(ref["iv"], rel=1e-7)
    for name in ("delta", "gamma", "theta", "vega", "rho"):
        assert reply["greeks"][name] == pytest.approx(ref[name], rel=1e-6, abs=1e-8), name


@pytest.mark.parametrize("now", [EXPIRES_AT, EXPIRES_AT + dt.timedelta(hours=9)],
                         ids=["at-close", "after"])
async def test_an_option_past_its_expiry_instant_is_refused(now: dt.datetime) -> None:
    with pytest.raises(MarketDataError, match="Option has expired on 08-Dec-2026") as raised:
        await _service(now).greeks(_option("call").symbol, "NFO")
    assert raised.value.status == 400
