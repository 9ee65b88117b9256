"""Issue 14: ITM10/OTM10 resolve on every upcoming expiry of the small universe, the one
tests and a default demo run on, through the platform's master (SecurityMaster.zip)."""

from __future__ import annotations

import pytest

from tests.market.conftest import MarketDesk, upcoming_expiries


@pytest.mark.parametrize(("underlying", "exchange", "name"),
                         [("NIFTY", "NSE_INDEX", "NIFTY"), ("SBIN", "NSE", "SBIN")])
def test_ten_strikes_either_side_of_the_money(exchange_desk: MarketDesk, underlying: str,
                                              exchange: str, name: str) -> None:
    expiries = upcoming_expiries(exchange_desk, name)
    assert len(expiries) >= 2
    for expiry in expiries:
        strikes = []
        for offset, option_type in (("ITM10", "CE"), ("OTM10", "CE"), ("OTM10", "PE"),
                                    ("ITM10", "PE")):
            reply = exchange_desk.client.optionsymbol(
                underlying=underlying, exchange=exchange, expiry_date=expiry, offset=offset,
                option_type=option_type)
            assert reply["status"] == "success", (expiry, offset, option_type, reply)
            strike = reply["symbol"].removeprefix(f"{name}{expiry}")[:-2]
            strikes.append(float(strike))
        # ITM10 call and OTM10 put sit 10 strikes below the money, the others above
        assert strikes[0] == strikes[2] < reply["underlying_ltp"] < strikes[1] == strikes[3]
