"""Issue 14: ITM10/OTM10 resolve on every upcoming expiry of the small universe, the one
tests and a default demo run on, through the platform's master (SecurityMaster.zip).

The simulator's spot moves between calls, so each reply is checked against its own
`underlying_ltp`: the money is the strike nearest that price (at most half a step away),
so a strike ten steps from the money lies 9.5 to 10.5 steps from the price."""

from __future__ import annotations

import pytest

from tests.market.conftest import MarketDesk, upcoming_expiries

# offset and option type -> the side of the price the strike lies on (+1 above, -1 below)
SIDES = {("ITM10", "CE"): -1, ("OTM10", "CE"): +1, ("OTM10", "PE"): -1, ("ITM10", "PE"): +1}


def strike_step(desk: MarketDesk, underlying: str, exchange: str, expiry: str) -> float:
    chain = desk.client.optionchain(underlying=underlying, exchange=exchange,
                                    expiry_date=expiry, strike_count=1)
    assert chain["status"] == "success", chain
    strikes = [row["strike"] for row in chain["chain"]]
    assert len(strikes) == 3, chain
    assert strikes[2] - strikes[1] == strikes[1] - strikes[0] > 0, strikes
    return strikes[1] - strikes[0]


@pytest.mark.parametrize(("underlying", "exchange", "name"),
                         [("NIFTY", "NSE_INDEX", "NIFTY"), ("SBIN", "NSE", "SBIN")])
def test_ten_strikes_either_side_of_the_money(exchange_desk: MarketDesk, underlying: str,
                                              exchange: str, name: str) -> None:
    expiries = upcoming_expiries(exchange_desk, name)
    assert len(expiries) >= 2
    for expiry in expiries:
        step = strike_step(exchange_desk, underlying, exchange, expiry)
        for (offset, option_type), side in SIDES.items():
            reply = exchange_desk.client.optionsymbol(
                underlying=underlying, exchange=exchange, expiry_date=expiry, offset=offset,
                option_type=option_type)
            assert reply["status"] == "success", (expiry, offset, option_type, reply)
            assert reply["symbol"].endswith(option_type), reply
            strike = float(reply["symbol"].removeprefix(f"{name}{expiry}")[:-2])
            steps_away = (strike - reply["underlying_ltp"]) / step * side
            assert 9.5 - 1e-9 <= steps_away <= 10.5 + 1e-9, (expiry, offset, option_type, step, reply)
