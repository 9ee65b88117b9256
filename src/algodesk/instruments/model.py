"""One instrument as both worlds name it: OpenAlgo (symbol, exchange) and Breeze.

`Instrument` is a NamedTuple on purpose: the index holds ~160,000 of them, and a tuple is
both the most compact immutable record Python has and the fastest to build (a frozen
dataclass costs three times as long, which alone would eat half the start-up budget).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from ..domain import Exchange, InstrumentType, format_listing_expiry, format_strike

# Breeze exchange codes and products (breeze-api.md §7.1).
BREEZE_NSE, BREEZE_BSE, BREEZE_NFO, BREEZE_BFO, BREEZE_NDX, BREEZE_MCX = (
    "NSE", "BSE", "NFO", "BFO", "NDX", "MCX")
CASH, FUTURES, OPTIONS = "cash", "futures", "options"
CALL, PUT, OTHERS = "call", "put", "others"

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_NUMBER = {name.upper(): number for number, name in enumerate(_MONTHS, start=1)}
ZERO = Decimal(0)

# Stream-token prefixes (breeze-api.md §10.2). NSE cash and NFO share prefix 4.
STREAM_PREFIX = {BREEZE_NSE: "4", BREEZE_NFO: "4", BREEZE_BSE: "1", BREEZE_BFO: "8",
                 BREEZE_NDX: "13", BREEZE_MCX: "6"}
# The OHLCV stream names BFO with prefix 2, every other exchange as the live feed does.
OHLCV_PREFIX = {**STREAM_PREFIX, BREEZE_BFO: "2"}
PREFIX_EXCHANGES = {"4": (BREEZE_NSE, BREEZE_NFO), "1": (BREEZE_BSE,), "8": (BREEZE_BFO,),
                    "2": (BREEZE_BFO,), "13": (BREEZE_NDX,), "6": (BREEZE_MCX,)}


BREEZE_KEY = slice(9, 15)


class BreezeKey(NamedTuple):
    """How Breeze names a contract in requests and rows.

    Canonical values: cash has expiry None, strike 0 and right ""; a future has right
    "others" and strike 0; an option has right "call" or "put".
    """

    stock_code: str
    exchange_code: str
    product: str
    expiry: date | None
    strike: Decimal
    right: str


class Instrument(NamedTuple):
    """A tradable (or, for indices, quotable) instrument of the master contract.

    The last six fields are, in order, the Breeze key: `inst[BREEZE_KEY]` is a tuple equal
    to (and hashing like) `inst.breeze_key`, which lets the index build its Breeze table
    with a slice instead of a Python-level constructor per row.
    """

    # OpenAlgo side
    symbol: str  # SBIN, NIFTY28NOV24FUT, NIFTY28NOV2424000CE, NIFTY (NSE_INDEX)
    exchange: Exchange
    name: str  # company or index name; for derivatives the underlying's OpenAlgo name
    instrument_type: InstrumentType
    lot_size: int
    tick_size: Decimal  # rupees (0 for indices, which do not trade)
    freeze_qty: int  # 0 when the master does not say
    token: str  # SecurityMaster Token: "2885", "35000", "NIFTY 50" for NSE indices
    isin: str  # equities only
    # Breeze side (the Breeze key)
    stock_code: str  # ICICI short name: STABAN, RELIND, CNXBAN
    breeze_exchange: str  # NSE, BSE, NFO, BFO, NDX, MCX
    product: str  # cash, futures, options
    expiry: date | None  # shared by both sides
    strike: Decimal  # rupees; 0 unless an option
    right: str  # "" (cash), others (futures), call, put

    @property
    def is_index(self) -> bool:
        return self.instrument_type is InstrumentType.INDEX

    @property
    def is_derivative(self) -> bool:
        return self.product != CASH

    @property
    def is_option(self) -> bool:
        return self.product == OPTIONS

    @property
    def expiry_text(self) -> str:
        """`28-NOV-24`, as OpenAlgo's symbol/search/instruments replies spell it."""
        return format_listing_expiry(self.expiry)

    @property
    def breeze_expiry(self) -> str:
        """`28-Nov-2024`, as the SecurityMaster and Breeze rows spell it ("" for cash)."""
        return breeze_date(self.expiry) if self.expiry else ""

    @property
    def breeze_strike(self) -> str:
        """The strike as a Breeze request value ("" unless an option)."""
        return format_strike(self.strike) if self.product == OPTIONS else ""

    @property
    def stream_token(self) -> str:
        """Live-feed code for quotes (`4.1!2885`)."""
        return f"{STREAM_PREFIX[self.breeze_exchange]}.1!{self.token}"

    @property
    def depth_token(self) -> str:
        """Live-feed code for five-level market depth (`4.2!2885`)."""
        return f"{STREAM_PREFIX[self.breeze_exchange]}.2!{self.token}"

    @property
    def ohlcv_token(self) -> str:
        """OHLCV-stream code (BFO uses prefix 2 there)."""
        return f"{OHLCV_PREFIX[self.breeze_exchange]}.1!{self.token}"

    @property
    def brsymbol(self) -> str:
        """One string for the Breeze contract, in the SDK's own contract-key form.

        Cash: the stock code (`STABAN`); futures `FUT-NIFTY-28-Nov-2024`; options
        `OPT-NIFTY-28-Nov-2024-24000-CE` (breeze-api.md §11.4).
        """
        if self.product == CASH:
            return self.stock_code
        if self.product == FUTURES:
            return f"FUT-{self.stock_code}-{self.breeze_expiry}"
        return (f"OPT-{self.stock_code}-{self.breeze_expiry}-{format_strike(self.strike)}-"
                f"{self.instrument_type.value}")

    @property
    def breeze_key(self) -> BreezeKey:
        return BreezeKey._make(self[BREEZE_KEY])


def breeze_date(day: date) -> str:
    """DD-Mon-YYYY with English month names whatever the process locale."""
    return f"{day.day:02d}-{_MONTHS[day.month - 1]}-{day.year}"


_BREEZE_DATE = re.compile(r"(\d{1,2})-([A-Za-z]{3})-(\d{4}|\d{2})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?")


def parse_breeze_date(text: str) -> date:
    """`27-Feb-2025`, `27-FEB-25`, `2025-02-27` or `2025-02-27T06:00:00.000Z` as a date."""
    value = text.strip()
    match = _BREEZE_DATE.fullmatch(value)
    if match:
        day, month, year = match.groups()
        number = _MONTH_NUMBER.get(month.upper())
        if number is not None:
            return date(int(year) if len(year) == 4 else 2000 + int(year), number, int(day))
    match = _ISO_DATE.fullmatch(value)
    if match:
        return date(int(match[1]), int(match[2]), int(match[3]))
    raise ValueError(f"{text!r} is not a date Breeze writes (DD-Mon-YYYY or ISO)")


# Breeze products that trade the cash segment, and the legacy derivative products.
_PRODUCTS = {"cash": CASH, "margin": CASH, "btst": CASH, "mtf": CASH, "eatm": CASH, "": CASH,
             "futures": FUTURES, "future": FUTURES, "futureplus": FUTURES,
             "options": OPTIONS, "option": OPTIONS, "optionplus": OPTIONS}
_RIGHTS = {"call": CALL, "ce": CALL, "c": CALL, "put": PUT, "pe": PUT, "p": PUT,
           "others": OTHERS, "other": OTHERS, "xx": OTHERS, "*": OTHERS, "": OTHERS}


def breeze_key(stock_code: str, exchange_code: str, product: str,
               expiry: date | datetime | str | None = None,
               strike: Decimal | int | float | str | None = None,
               right: str | None = None) -> BreezeKey:
    """Normalise Breeze's spellings (`Options`, `Call`, `27-Feb-2025`, `24000.00`) to a key.

    Raises ValueError when the parts cannot name one contract.
    """
    kind = _PRODUCTS.get(product.strip().lower())
    if kind is None:
        raise ValueError(f"unknown Breeze product {product!r}")
    code, exchange = stock_code.strip().upper(), exchange_code.strip().upper()
    if kind == CASH:
        return BreezeKey(code, exchange, CASH, None, ZERO, "")
    if expiry is None or expiry == "":
        raise ValueError(f"a {kind} contract needs an expiry date")
    if isinstance(expiry, datetime):
        day = expiry.date()
    elif isinstance(expiry, date):
        day = expiry
    else:
        day = parse_breeze_date(expiry)
    if kind == FUTURES:
        return BreezeKey(code, exchange, FUTURES, day, ZERO, OTHERS)
    side = _RIGHTS.get((right or "").strip().lower())
    if side not in (CALL, PUT):
        raise ValueError(f"an option needs right call or put, not {right!r}")
    try:
        value = strike if isinstance(strike, Decimal) else Decimal(str(strike).strip())
    except InvalidOperation:
        raise ValueError(f"strike {strike!r} is not a number") from None
    if not value.is_finite() or value <= 0:
        raise ValueError(f"strike {strike!r} must be positive")
    return BreezeKey(code, exchange, OPTIONS, day, value, side)


def parse_stream_token(code: str) -> tuple[str, int, str]:
    """`4.1!2885` -> ("4", 1, "2885"). Raises ValueError for anything else."""
    head, bang, token = code.partition("!")
    prefix, dot, level = head.partition(".")
    if not (bang and dot and token and prefix in PREFIX_EXCHANGES and level in ("1", "2")):
        raise ValueError(f"{code!r} is not a Breeze stream token (X.Y!TOKEN)")
    return prefix, int(level), token
