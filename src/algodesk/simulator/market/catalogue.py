"""The instrument universe: every line of every SecurityMaster file, built for one day.

Deterministic in (seed, size, today). Expiries count from `today`, strike ladders are
centred on each underlying's price at IST midnight today, so the archive is current
whatever day the simulator starts. A ladder reaches far enough that the strike nearest
the money has at least ten listed strikes on each side at every second of the week the
archive serves (`LADDER_DAYS`), as an exchange lists new strikes when the price moves:
the price process is random-access, so its range over that week is known when the
archive is built. Sizes:
- ``small``: the real names, a couple of dozen invented ones and short strike ladders
  (under ten thousand instruments, most of them strikes, for tests);
- ``full``: thousands of invented companies and ~200 F&O stocks with wide ladders,
  giving ~160,000 rows in the proportions of the real files (most in FONSE).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

from . import expiries
from .hashing import mix64, stream_key
from .prices import SpotProcess
from .reference_data import CONTRACTS, INDICES, SMALL_FNO, STOCKS, ContractSpec, IndexSpec
from .sessions import day_of_date, day_start
from .synthetic import Company, Scheme, make_isin, schemes
from .synthetic import companies as make_companies
from .types import Instrument

Size = Literal["small", "full"]
Kind = Literal["index", "stock", "currency", "commodity"]
ZERO = Decimal(0)
# The archive built for `today` must serve a simulator left running for a week, and the
# next morning until the platform's daily refresh (08:00 IST): eight days from midnight.
LADDER_DAYS = 8
# Listed strikes each side of the money, at the least (ITM10/OTM10 always resolve).
MONEY_STRIKES = 10
# The ladder is never narrower than a typical week's move (two standard deviations), so
# its width on an ordinary week says nothing about where the price is going.
_TYPICAL_MOVES = 2.0
OPTION_TICK = Decimal("0.05")
INDEX_TICK = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Plan:
    companies: int  # invented equities
    fno_companies: int  # how many of them get F&O
    real_fno: tuple[str, ...] | None  # real F&O stocks kept (None = all)
    weeklies: int
    index_strikes: int  # strikes each side of the money, per expiry
    narrow_index_strikes: int
    stock_strikes: int
    currency_strikes: int
    commodity_strikes: int
    currency_futures: int
    commodity_futures: int
    schemes: int


PLANS: dict[str, Plan] = {
    "small": Plan(24, 0, SMALL_FNO, 8, 3, 2, 2, 2, 2, 3, 2, 6),
    "full": Plan(5_000, 195, None, 8, 100, 50, 52, 40, 30, 12, 6, 400),
}


@dataclass(frozen=True, slots=True)
class Underlying:
    """Everything priced: an index, a company, a currency pair or a commodity."""

    code: str
    symbol: str  # exchange trading symbol / index name
    name: str
    kind: Kind
    base: float
    daily_vol: float
    iv: float  # at-the-money implied volatility of its options
    lot: int  # F&O lot (0 without derivatives)
    strike_step: Decimal
    asset_token: str  # numeric token of the underlying (F&O AssetToken column)
    turnover: float  # rupees traded per trading second in the cash market
    reference: float = 0.0  # price at IST midnight today: the strike ladder's centre
    reach: float = 0.0  # rupees the price can stray from `reference` in LADDER_DAYS


@dataclass(frozen=True, slots=True)
class Listing:
    """What the equity master files say about a company beyond its Instrument."""

    code: str
    isin: str
    group: str
    listed_on: date
    face_value: int


@dataclass
class Catalogue:
    seed: int
    size: Size
    today: date
    instruments: list[Instrument] = field(default_factory=list)
    underlyings: dict[str, Underlying] = field(default_factory=dict)
    # code -> the cash instrument its derivatives price from; for NDX/MCX an unlisted
    # reference spot (is_index, not in any file), since those files have no cash rows
    spot_of: dict[str, Instrument] = field(default_factory=dict)
    listings: dict[str, Listing] = field(default_factory=dict)
    schemes: list[Scheme] = field(default_factory=list)


def nse_tick(price: float) -> Decimal:
    """NSE cash and stock-futures tick by price band (the SDK's table, reference 12.3)."""
    for limit, tick in ((250, "0.01"), (1_000, "0.05"), (5_000, "0.10"), (10_000, "0.50"),
                        (20_000, "1")):
        if price < limit:
            return Decimal(tick)
    return Decimal(5)


def bse_tick(price: float) -> Decimal:
    return Decimal("0.01") if price <= 100 else Decimal("0.05")


def index_future_tick(price: float) -> Decimal:
    return Decimal("0.05") if price < 15_000 else Decimal("0.10") if price < 30_000 else (
        Decimal("0.20"))


def stock_strike_step(price: float) -> Decimal:
    for limit, step in ((30, "0.5"), (75, "1"), (250, "2.5"), (500, "5"), (1_000, "10"),
                        (2_500, "20"), (5_000, "50"), (10_000, "100")):
        if price < limit:
            return Decimal(step)
    return Decimal(250)


def nice_lot(price: float, notional: float = 600_000) -> int:
    """A round lot worth about `notional` rupees (NSE sizes lots to a few lakh)."""
    raw = notional / price
    magnitude = 10 ** math.floor(math.log10(raw))
    step = max(1, magnitude // 4)
    return max(1, round(raw / step) * step)


def _canonical(value: Decimal) -> Decimal:
    return Decimal(int(value)) if value == value.to_integral_value() else value.normalize()


def build(seed: int, size: Size, today: date) -> Catalogue:
    plan = PLANS[size]
    cat = Catalogue(seed=seed, size=size, today=today)
    midnight = day_start(day_of_date(today))
    _add_indices(cat)
    equities = _add_equities(cat, plan)
    _set_references(cat, midnight)
    builder = _Derivatives(cat, plan)
    for spec in INDICES:
        if spec.lot and spec.exchange == "NSE":
            builder.index(spec, "NFO", expiries.TUESDAY)
    for code in equities:
        builder.stock(code)
    for spec in INDICES:
        if spec.lot and spec.exchange == "BSE":
            builder.index(spec, "BFO", expiries.THURSDAY)
    for contract in CONTRACTS:
        builder.contract(contract)
    cat.schemes = schemes(seed, plan.schemes)
    return cat


def _add_indices(cat: Catalogue) -> None:
    for spec in INDICES:
        cat.underlyings[spec.code] = Underlying(
            spec.code, spec.symbol, spec.name, "index", spec.base, spec.daily_vol, spec.iv,
            spec.lot, spec.strike_step, spec.asset_token, 0.0)
        inst = Instrument(spec.symbol, spec.exchange, spec.code, "cash", None, ZERO, None, 1,
                          INDEX_TICK, spec.name, spec.symbol, True)
        cat.instruments.append(inst)
        cat.spot_of[spec.code] = inst


def _add_equities(cat: Catalogue, plan: Plan) -> list[str]:
    """NSE and BSE equity rows; returns the codes that get NSE F&O, in listing order."""
    seed = cat.seed
    real = list(STOCKS)
    invented = make_companies(
        seed, plan.companies,
        taken_codes=[s.code for s in real] + [s.code for s in INDICES],
        taken_symbols=[s.symbol for s in real],
        taken_nse=[s.nse_token for s in real], taken_bse=[s.bse_token for s in real])
    fno: list[str] = [s.code for s in real if plan.real_fno is None or s.code in plan.real_fno]
    rows: list[tuple[str, str, str, str, str, float, float, float, int]] = []
    for s in real:
        isin = s.isin or make_isin(mix64(stream_key("isin", s.code)) % 1_000_000)
        rows.append((s.code, s.symbol, s.name, s.nse_token, s.bse_token, s.base, s.daily_vol,
                     4e5 * (0.5 + (mix64(stream_key("turnover", s.code)) % 1000) / 1000), s.lot))
        cat.listings[s.code] = Listing(s.code, isin, "A", date(1995, 1, 2), 10)
    picked = 0
    for c in invented:
        lot = 0
        if picked < plan.fno_companies and c.nse_token and c.base >= 40:
            lot = nice_lot(c.base)
            fno.append(c.code)
            picked += 1
        rows.append((c.code, c.symbol, c.name, c.nse_token, c.bse_token, c.base, c.daily_vol,
                     _invented_turnover(c, lot > 0), lot))
        cat.listings[c.code] = Listing(c.code, c.isin, c.group, c.listed_on, c.face_value)
    fno_set = set(fno)
    nse: list[Instrument] = []
    bse: list[Instrument] = []
    for code, symbol, name, nse_token, bse_token, base, vol, turnover, lot in rows:
        step = stock_strike_step(base) if code in fno_set else ZERO
        iv = vol * math.sqrt(252) * (1.05 + (mix64(stream_key("iv", code)) % 200) / 1000)
        cat.underlyings[code] = Underlying(code, symbol, name, "stock", base, vol, iv,
                                           lot if code in fno_set else 0, step, nse_token,
                                           turnover)
        isin = cat.listings[code].isin
        if nse_token:
            nse.append(Instrument(nse_token, "NSE", code, "cash", None, ZERO, None, 1,
                                  nse_tick(base), name, symbol, False, isin))
        if bse_token:
            bse.append(Instrument(bse_token, "BSE", code, "cash", None, ZERO, None, 1,
                                  bse_tick(base), name, symbol, False, isin))
    for inst in nse + bse:
        cat.spot_of.setdefault(inst.stock_code, inst)  # NSE listing first when on both
    # Keep each exchange's rows together: NSE indices, NSE equities, BSE indices, ...
    nse_indices = [i for i in cat.instruments if i.exchange_code == "NSE"]
    bse_indices = [i for i in cat.instruments if i.exchange_code == "BSE"]
    cat.instruments[:] = nse_indices + nse + bse_indices + bse
    return [code for code in fno if code in cat.spot_of and
            cat.spot_of[code].exchange_code == "NSE"]


def _invented_turnover(company: Company, fno: bool) -> float:
    """Rupees per trading second: F&O names trade like mid caps, the rest thinly."""
    spread = (mix64(stream_key("turnover", company.code)) % 10_000) / 10_000
    low, high = (3e4, 2e5) if fno else (1e3, 6e4)
    return low * (high / low) ** spread


def _set_references(cat: Catalogue, midnight: int) -> None:
    for code, u in list(cat.underlyings.items()):
        if u.lot or u.kind != "stock":
            cat.underlyings[code] = _with_reference(u, cat.seed, midnight)


def _with_reference(u: Underlying, seed: int, midnight: int) -> Underlying:
    """`u` with its price at `midnight` and how far the price strays in LADDER_DAYS."""
    process = SpotProcess.create(seed, u.code, u.base, u.daily_vol)
    level = float(process.values(midnight, midnight)[0])
    low, high = process.envelope(midnight, midnight + LADDER_DAYS * 86_400 - 1)
    typical = level * math.expm1(_TYPICAL_MOVES * u.daily_vol * math.sqrt(LADDER_DAYS))
    reach = max(high - level, level - low, typical)
    return Underlying(u.code, u.symbol, u.name, u.kind, u.base, u.daily_vol, u.iv, u.lot,
                      u.strike_step, u.asset_token, u.turnover, level, reach)


class _Derivatives:
    """Appends futures and options to the catalogue, numbering tokens per exchange."""

    def __init__(self, cat: Catalogue, plan: Plan) -> None:
        self.cat = cat
        self.plan = plan
        self.next_token = {"NFO": 35_000, "BFO": 800_001, "NDX": 1_001, "MCX": 430_001}
        self._strikes: dict[tuple[Decimal, int], Decimal] = {}

    def _token(self, exchange: str) -> str:
        value = self.next_token[exchange]
        self.next_token[exchange] = value + 1
        return str(value)

    def _ladder(self, u: Underlying, each_side: int) -> list[Decimal]:
        """Strikes around the reference: `each_side` of them (the plan's count) or, when
        more, enough that the price anywhere within its reach keeps MONEY_STRIKES listed
        strikes on both sides of the nearest one (one more for that rounding)."""
        step = u.strike_step
        centre = round(u.reference / float(step))
        each_side = max(each_side, math.ceil(u.reach / float(step)) + MONEY_STRIKES + 1)
        out = []
        for units in range(centre - each_side, centre + each_side + 1):
            if units <= 0:
                continue
            key = (step, units)
            strike = self._strikes.get(key)
            if strike is None:
                strike = self._strikes[key] = _canonical(step * units)
            out.append(strike)
        return out

    def _emit(self, u: Underlying, exchange: str, is_index: bool, names: tuple[str, str],
              futures: list[date], options: list[date], strikes: list[Decimal],
              future_tick: Decimal, option_tick: Decimal) -> None:
        out = self.cat.instruments
        for expiry in futures:
            out.append(Instrument(self._token(exchange), exchange, u.code, "futures", expiry,
                                  ZERO, "others", u.lot, future_tick, u.name, u.symbol,
                                  is_index, "", names[0], u.code))
        for expiry in options:
            for strike in strikes:
                for right in ("call", "put"):
                    out.append(Instrument(self._token(exchange), exchange, u.code, "options",
                                          expiry, strike, right, u.lot, option_tick, u.name,
                                          u.symbol, is_index, "", names[1], u.code))

    def index(self, spec: IndexSpec, exchange: str, weekday: int) -> None:
        u = self.cat.underlyings[spec.code]
        today = self.cat.today
        monthlies = expiries.monthly(today, weekday, 3)
        option_expiries = monthlies
        if spec.weekly:
            option_expiries = sorted(set(monthlies) | set(
                expiries.weekly(today, weekday, self.plan.weeklies)))
        each_side = (self.plan.index_strikes if spec.wide_chain
                     else self.plan.narrow_index_strikes)
        self._emit(u, exchange, True, ("FUTIDX", "OPTIDX"), monthlies, option_expiries,
                   self._ladder(u, each_side), index_future_tick(u.reference), OPTION_TICK)

    def stock(self, code: str) -> None:
        u = self.cat.underlyings[code]
        monthlies = expiries.monthly(self.cat.today, expiries.TUESDAY, 3)
        self._emit(u, "NFO", False, ("FUTSTK", "OPTSTK"), monthlies, monthlies,
                   self._ladder(u, self.plan.stock_strikes), nse_tick(u.reference),
                   OPTION_TICK)

    def contract(self, spec: ContractSpec) -> None:
        today, plan = self.cat.today, self.plan
        kind: Kind = "currency" if spec.exchange == "NDX" else "commodity"
        u = Underlying(spec.code, spec.code, spec.name, kind, spec.base, spec.daily_vol,
                       spec.iv, spec.lot, spec.strike_step, "", 0.0)
        u = _with_reference(u, self.cat.seed, day_start(day_of_date(today)))
        self.cat.underlyings[spec.code] = u
        spot = Instrument(spec.code, spec.exchange, spec.code, "cash", None, ZERO, None, 1,
                          spec.tick, spec.name, spec.code, True)
        self.cat.spot_of[spec.code] = spot
        if kind == "currency":
            futures = expiries.currency_monthly(today, plan.currency_futures)
            names = ("FUTCUR", "OPTCUR")
            each_side = plan.currency_strikes if spec.code == "USDINR" else (
                plan.currency_strikes // 2)
        else:
            futures = _commodity_expiries(spec.code, today, plan.commodity_futures)
            names = ("FUTCOM", "OPTFUT")
            each_side = plan.commodity_strikes if spec.code == "CRUDEOIL" else (
                plan.commodity_strikes * 2 // 3)
        option_count = 3 if spec.code in ("USDINR", "CRUDEOIL") else 2
        options = futures[:option_count] if spec.options else []
        self._emit(u, spec.exchange, False, names, futures, options,
                   self._ladder(u, max(each_side, 1)), spec.tick, spec.option_tick)


def _commodity_expiries(code: str, today: date, count: int) -> list[date]:
    if code == "GOLD":
        return expiries.day_of_month(today, 5, count, frozenset({2, 4, 6, 8, 10, 12}))
    if code == "SILVER":
        return expiries.day_of_month(today, 5, count, frozenset({3, 5, 7, 9, 12}))
    return expiries.day_of_month(today, 19, count)
