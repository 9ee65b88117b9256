"""Options through the `openalgo` client: expiry, optionsymbol, optionchain (put-call
parity), optiongreeks (against an independent reference), syntheticfuture, option
orders; and the 400s for a missing or unknown expiry and an offset off the ladder."""

from __future__ import annotations

import math

import pytest

from algodesk.market.greeks import black76_price
from tests.market.conftest import MarketDesk, upcoming_expiries
from tests.market.test_units import reference

SIM_RATE = 0.07  # the simulator prices options by Black-Scholes with r = 7%
YEAR = 365 * 86_400


@pytest.fixture(scope="module")
def expiry(desk: MarketDesk) -> str:
    return upcoming_expiries(desk)[0]


def test_expiry_lists_nifty_weeklies(desk: MarketDesk) -> None:
    reply = desk.client.expiry(symbol="NIFTY", exchange="NFO", instrumenttype="options")
    assert reply["status"] == "success" and len(reply["data"]) >= 4
    assert all(len(day) == 9 and day[2] == "-" for day in reply["data"])


def test_optionsymbol_walks_the_real_ladder(desk: MarketDesk, expiry: str) -> None:
    chain = desk.client.optionchain(underlying="NIFTY", exchange="NSE_INDEX",
                                    expiry_date=expiry)
    assert chain.get("status") == "success", chain
    strikes = [row["strike"] for row in chain["chain"]]

    def money(ltp: float) -> int:
        """The ATM strike's place on the ladder for a price: the nearest, lower on a tie."""
        return strikes.index(min(strikes, key=lambda k: (abs(k - ltp), k)))

    assert chain["atm_strike"] == strikes[money(chain["underlying_ltp"])]
    cases = [("ATM", "CE", 0), ("ITM1", "CE", -1), ("OTM2", "CE", 2), ("ITM2", "PE", 2),
             ("otm1", "pe", -1)]
    for offset, option_type, steps in cases:
        reply = desk.client.optionsymbol(underlying="NIFTY", exchange="NSE_INDEX",
                                         expiry_date=expiry, offset=offset,
                                         option_type=option_type)
        assert reply["status"] == "success", reply
        # the spot moves between calls: the money is the one this reply saw
        position = money(reply["underlying_ltp"]) + steps
        assert 0 <= position < len(strikes), (reply, strikes)
        strike = strikes[position]
        assert reply["symbol"] == f"NIFTY{expiry}{int(strike)}{option_type.upper()}", reply
        assert reply["exchange"] == "NFO" and reply["lotsize"] == 65
        assert reply["tick_size"] == 0.05
        assert abs(reply["underlying_ltp"] - chain["underlying_ltp"]) < 50


def test_expiry_embedded_in_the_underlying(desk: MarketDesk, expiry: str) -> None:
    future = f"NIFTY{expiry}FUT"
    reply = desk.client.optionsymbol(underlying=future, exchange="NFO", offset="ATM",
                                     option_type="CE")
    assert reply["status"] == "success", reply
    assert reply["symbol"].startswith(f"NIFTY{expiry}")


def test_optionsymbol_errors(desk: MarketDesk, expiry: str) -> None:
    missing = desk.client.optionsymbol(underlying="NIFTY", exchange="NSE_INDEX", offset="ATM",
                                       option_type="CE")
    assert missing["code"] == 400 and "Expiry date required" in missing["message"]
    unknown = desk.client.optionsymbol(underlying="NIFTY", exchange="NSE_INDEX",
                                       expiry_date="30DEC99", offset="ATM", option_type="CE")
    assert unknown["code"] == 400
    assert "No strikes found for NIFTY expiring 30DEC99" in unknown["message"]
    bad = desk.post("optionsymbol", {"underlying": "NIFTY", "exchange": "NSE_INDEX",
                                     "expiry_date": expiry, "offset": "DEEP", "option_type": "CE"})
    assert bad.status_code == 400 and "offset" in bad.json()["message"]


def test_optionchain_shape_labels_and_put_call_parity(desk: MarketDesk, expiry: str) -> None:
    reply = desk.client.optionchain(underlying="NIFTY", exchange="NSE_INDEX", expiry_date=expiry,
                                    strike_count=2)
    assert reply["status"] == "success", reply
    chain = reply["chain"]
    assert len(chain) == 5 and reply["expiry_date"] == expiry
    middle = chain[2]
    assert middle["strike"] == reply["atm_strike"]
    assert middle["ce"]["label"] == middle["pe"]["label"] == "ATM"
    assert [row["ce"]["label"] for row in chain] == ["ITM2", "ITM1", "ATM", "OTM1", "OTM2"]
    assert [row["pe"]["label"] for row in chain] == ["OTM2", "OTM1", "ATM", "ITM1", "ITM2"]
    years = (reply["expiry_ts"] - reply["server_ts"]) / YEAR
    spot = reply["underlying_ltp"]
    for row in chain:
        for side in ("ce", "pe"):
            leg = row[side]
            assert leg["symbol"].endswith(side.upper()) and leg["lotsize"] == 65
            assert leg["oi"] > 0 and leg["volume"] > 0 and leg["bid"] <= leg["ask"]
        # C - P = S - K e^(-rT): the simulator's model; prices are rounded to 0.05 and
        # read within the same second as the spot.
        parity = spot - row["strike"] * math.exp(-SIM_RATE * years)
        assert row["ce"]["ltp"] - row["pe"]["ltp"] == pytest.approx(parity, abs=2.0)


def test_optionchain_with_greeks(desk: MarketDesk, expiry: str) -> None:
    reply = desk.post("optionchain", {"underlying": "NIFTY", "exchange": "NSE_INDEX",
                                      "expiry_date": expiry, "strike_count": 1,
                                      "with_greeks": True}).json()
    assert reply["greeks_included"] is True and reply["forward_price"] > reply["underlying_ltp"]
    for row in reply["chain"]:
        assert 5 < row["ce"]["implied_volatility"] < 80
        assert 0 < row["ce"]["delta"] < 1 and -1 < row["pe"]["delta"] < 0


def test_optiongreeks_match_a_reference_computation(desk: MarketDesk, expiry: str) -> None:
    """The live platform's answer against an independent solve of its own inputs.

    The platform values at its own instant and reports the time left only to 1e-6 days
    (±0.043 s), so the reference works from a time that may be that far off. Near expiry
    that matters: the price holds about as much information as vol·√T, so a relative
    error e in T moves the volatility (and gamma, theta, vega) by about e/2. The bounds
    below follow from that and from the solver's promise (the price reproduced to 1e-12
    of it); the exact comparison at a pinned instant is test_greeks_pinned.py's.
    """
    chain = desk.client.optionchain(underlying="NIFTY", exchange="NSE_INDEX", expiry_date=expiry,
                                    strike_count=1)
    for row in chain["chain"]:
        for side, call in (("ce", True), ("pe", False)):
            reply = desk.client.optiongreeks(symbol=row[side]["symbol"], exchange="NFO",
                                             interest_rate=5.0)
            assert reply["status"] == "success", reply
            assert reply["option_type"] == side.upper() and reply["model"] == "Black-76"
            assert reply["expiry_date"][2] == "-" and reply["underlying"] == "NIFTY"
            days = reply["days_to_expiry"]
            years = days / 365
            time_error = 0.5e-6 / days  # relative: the rounding of days_to_expiry
            iv = reply["implied_volatility"] / 100
            # The returned volatility prices the option back to a tenth of a paisa.
            repriced = black76_price(reply["forward_price"], reply["strike"], years, 0.05, iv,
                                     call)
            assert repriced == pytest.approx(reply["option_price"], abs=0.001)
            ref = reference(reply["option_price"], reply["forward_price"], reply["strike"],
                            years, 0.05, call)
            assert iv == pytest.approx(ref["iv"], rel=time_error + 1e-7)
            for name in ("delta", "gamma", "theta", "vega", "rho"):
                assert reply["greeks"][name] == pytest.approx(
                    ref[name], rel=time_error + 1e-6, abs=1e-6), name
            # The forward comes from put-call parity at the option's strike.
            assert reply["forward_price"] == pytest.approx(
                reply["spot_price"] * math.exp(SIM_RATE * years), abs=3.0)


def test_optiongreeks_errors(desk: MarketDesk) -> None:
    stock = desk.post("optiongreeks", {"symbol": "SBIN", "exchange": "NSE"})
    assert stock.status_code == 400 and "exchange" in stock.json()["message"]
    not_option = desk.post("optiongreeks", {"symbol": "NOSUCH24000CE", "exchange": "NFO"})
    assert not_option.status_code == 400 and "not found" in not_option.json()["message"]


def test_multioptiongreeks_fails_items_one_by_one(desk: MarketDesk, expiry: str) -> None:
    chain = desk.client.optionchain(underlying="NIFTY", exchange="NSE_INDEX", expiry_date=expiry,
                                    strike_count=1)
    symbol = chain["chain"][1]["ce"]["symbol"]
    reply = desk.post("multioptiongreeks", {"symbols": [
        {"symbol": symbol, "exchange": "NFO"}, {"symbol": "NIFTY99", "exchange": "NFO"}]}).json()
    assert reply["status"] == "success"
    assert reply["summary"] == {"total": 2, "success": 1, "failed": 1}
    assert reply["data"][0]["greeks"]["delta"] > 0 and reply["data"][1]["status"] == "error"


def test_syntheticfuture(desk: MarketDesk, expiry: str) -> None:
    reply = desk.client.syntheticfuture(underlying="NIFTY", exchange="NSE_INDEX",
                                        expiry_date=expiry)
    assert reply["status"] == "success", reply
    assert reply["expiry"] == expiry
    chain = desk.client.optionchain(underlying="NIFTY", exchange="NSE_INDEX", expiry_date=expiry,
                                    strike_count=1)
    atm = next(row for row in chain["chain"] if row["strike"] == reply["atm_strike"])
    # Read within a second of each other: the same cached rows or a tick or two apart.
    assert reply["synthetic_future_price"] == pytest.approx(
        atm["strike"] + atm["ce"]["ltp"] - atm["pe"]["ltp"], abs=3.0)
    years = (chain["expiry_ts"] - chain["server_ts"]) / YEAR
    assert reply["synthetic_future_price"] == pytest.approx(
        reply["underlying_ltp"] * math.exp(SIM_RATE * years), abs=5.0)


def test_optionsorder_places_the_resolved_option(desk: MarketDesk, expiry: str) -> None:
    before = desk.sim.admin("state")["orders"]
    reply = desk.client.optionsorder(strategy="test", underlying="NIFTY", exchange="NSE_INDEX",
                                     expiry_date=expiry, offset="ITM1", option_type="PE",
                                     action="BUY", quantity=65, price_type="MARKET",
                                     product="NRML")
    assert reply["status"] == "success", reply
    assert reply["orderid"] and reply["exchange"] == "NFO" and reply["offset"] == "ITM1"
    assert reply["underlying"] == "NIFTY" and reply["underlying_ltp"] > 0
    chain = desk.client.optionchain(underlying="NIFTY", exchange="NSE_INDEX",
                                    expiry_date=expiry)
    strikes = [row["strike"] for row in chain["chain"]]
    atm = min(strikes, key=lambda k: (abs(k - reply["underlying_ltp"]), k))
    itm1_put = strikes[strikes.index(atm) + 1]  # puts are in the money above the spot
    assert reply["symbol"] == f"NIFTY{expiry}{int(itm1_put)}PE"
    assert desk.sim.admin("state")["orders"] == before + 1
    status = desk.client.orderstatus(order_id=reply["orderid"], strategy="test")
    assert status["status"] == "success", status
    assert status["data"]["symbol"] == reply["symbol"]


def test_optionsorder_with_splitsize(desk: MarketDesk, expiry: str) -> None:
    reply = desk.client.optionsorder(strategy="test", underlying="NIFTY", exchange="NSE_INDEX",
                                     expiry_date=expiry, offset="ATM", option_type="CE",
                                     action="BUY", quantity=195, splitsize=65, product="NRML")
    assert reply["status"] == "success", reply
    assert reply["total_quantity"] == 195 and reply["split_size"] == 65
    assert [r["quantity"] for r in reply["results"]] == [65, 65, 65]
    assert all(r["status"] == "success" and r["orderid"] for r in reply["results"])


def test_optionsmultiorder_buys_first(desk: MarketDesk, expiry: str) -> None:
    legs = [
        {"offset": "OTM1", "option_type": "CE", "action": "SELL", "quantity": 65},
        {"offset": "OTM3", "option_type": "CE", "action": "BUY", "quantity": 65},
        {"offset": "OTM1", "option_type": "PE", "action": "SELL", "quantity": 65},
        {"offset": "OTM2", "option_type": "PE", "action": "BUY", "quantity": 65,
         "expiry_date": "30DEC99"},
    ]
    reply = desk.client.optionsmultiorder(strategy="test", underlying="NIFTY",
                                          exchange="NSE_INDEX", expiry_date=expiry, legs=legs,
                                          product="NRML")
    assert reply["status"] == "success", reply
    results = reply["results"]
    assert [r["leg"] for r in results] == [1, 2, 3, 4]
    assert all(r["mode"] == "live" for r in results)
    assert [r["status"] for r in results] == ["success", "success", "success", "error"]
    assert "No strikes found for NIFTY expiring 30DEC99" in results[3]["message"]
    assert results[1]["symbol"] > results[0]["symbol"]  # OTM3 CE is a higher strike
    sequence = {r["leg"]: int(r["orderid"][-8:]) for r in results if "orderid" in r}
    assert sequence[2] < sequence[1] and sequence[2] < sequence[3], "the BUY leg went first"
