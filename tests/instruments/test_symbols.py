"""The OpenAlgo symbol grammar (openalgo-api.md §2.7) in the broker-neutral domain."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from algodesk.domain import (
    Exchange,
    SymbolError,
    format_expiry,
    format_listing_expiry,
    format_strike,
    future_symbol,
    option_symbol,
    parse_exchange,
    parse_expiry,
    parse_symbol,
)


def test_reference_examples() -> None:
    assert future_symbol("NIFTY", date(2024, 11, 28)) == "NIFTY28NOV24FUT"
    assert option_symbol("NIFTY", date(2024, 11, 28), 24000, "CE") == "NIFTY28NOV2424000CE"
    assert option_symbol("VEDL", date(2024, 4, 25), Decimal("292.5"), "CE") == "VEDL25APR24292.5CE"
    assert option_symbol("USDINR", date(2024, 4, 19), Decimal("82.00"), "CE") == "USDINR19APR2482CE"
    assert future_symbol("726GS2033", date(2024, 4, 25)) == "726GS203325APR24FUT"


def test_strikes_lose_trailing_zeros_only() -> None:
    assert format_strike(Decimal("24000.00")) == "24000"
    assert format_strike(Decimal("88.250")) == "88.25"
    assert format_strike(Decimal("1E+4")) == "10000"
    assert format_strike("127.5") == "127.5"
    for bad in ("0", "-5", "abc", "NaN"):
        with pytest.raises(SymbolError):
            format_strike(bad)


def test_expiry_spellings() -> None:
    assert format_expiry(date(2025, 2, 6)) == "06FEB25"
    assert format_listing_expiry(date(2025, 2, 6)) == "06-FEB-25"
    assert format_listing_expiry(None) == ""
    assert parse_expiry("28nov24") == parse_expiry("28-NOV-24") == date(2024, 11, 28)
    with pytest.raises(SymbolError):
        parse_expiry("31FEB25")


def test_parse_reads_from_the_right() -> None:
    parsed = parse_symbol("726GS203225APR2497PE")
    assert (parsed.base, parsed.kind, parsed.expiry, parsed.strike) == (
        "726GS2032", "PE", date(2024, 4, 25), Decimal(97))
    assert parse_symbol("NIFTYNXT5028NOV2470000PE").base == "NIFTYNXT50"
    assert parse_symbol("MARICO28NOV24500CE").base == "MARICO"  # "MAR" inside the base
    assert parse_symbol("SBIN").kind is None
    assert parse_symbol("M&M").base == "M&M"


def test_exchanges() -> None:
    assert parse_exchange("NSE_INDEX") is Exchange.NSE_INDEX
    assert Exchange.BSE_INDEX.is_index and Exchange.CDS.is_derivative
    assert not Exchange.NSE.is_derivative
    with pytest.raises(ValueError, match="Accepted"):
        parse_exchange("nse")


bases = st.from_regex(r"[A-Z][A-Z0-9&-]{0,14}", fullmatch=True)
days = st.dates(date(2000, 1, 1), date(2099, 12, 31))
strikes = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(999999), places=2)


@given(bases, days, strikes, st.sampled_from(["CE", "PE"]))
def test_option_symbols_parse_back(base: str, day: date, strike: Decimal, right: str) -> None:
    parsed = parse_symbol(option_symbol(base, day, strike, right))
    assert (parsed.base, parsed.kind, parsed.expiry, parsed.strike) == (base, right, day, strike)


@given(bases, days)
def test_future_symbols_parse_back(base: str, day: date) -> None:
    parsed = parse_symbol(future_symbol(base, day))
    assert (parsed.base, parsed.kind, parsed.expiry) == (base, "FUT", day)
