"""Invented companies that give the universe a realistic size.

Names are built from Indian-sounding syllables and an industry word; short codes follow
ICICI's six-letter habit; every code, symbol, token and ISIN is unique and none collides
with the hand-written real instruments. Everything is drawn from one seeded generator,
so the list depends only on the seed and the count.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from .hashing import stream_key

_HEADS = ("AR", "BHA", "CHA", "DEV", "EKA", "GAN", "HAR", "IND", "JAY", "KAL", "LAK", "MAN",
          "NAV", "OJA", "PRA", "RAJ", "SAR", "TAR", "UDA", "VAS", "YAS", "ZEN", "AMR", "SHR",
          "VIK", "SUM", "NIR", "KIR", "PAR", "DHR", "GUR", "MOH", "SAN", "RUD", "TEJ", "VIR")
_JOINS = ("", "A", "I", "U", "O", "E")
_TAILS = ("VANTA", "DHAN", "NIKA", "TECH", "JYOT", "LINE", "MATI", "KRUP", "SHAKTI", "DEEP",
          "VEER", "KANT", "NATH", "PRIYA", "LOK", "GIRI", "SAGAR", "MITRA", "RATNA", "KALP")
_TRADES = ("INDUSTRIES", "POLYMERS", "TEXTILES", "PHARMA", "FINANCE", "STEELS", "CHEMICALS",
           "AGRO", "INFRA", "MOTORS", "SOFTWARE", "CEMENT", "FOODS", "ENERGY", "LOGISTICS",
           "PAPERS", "GLASS", "FERTILISERS", "BEVERAGES", "CABLES", "ELECTRICALS", "TYRES",
           "SUGAR", "REALTY", "HOTELS", "MEDIA", "SYSTEMS", "FORGINGS", "PIPES", "CERAMICS",
           "SPINNERS", "CAPITAL", "LABS", "EXPORTS", "PLASTICS", "ALLOYS", "OILS", "BIOTECH")
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True, slots=True)
class Company:
    code: str
    symbol: str
    name: str
    base: float
    daily_vol: float
    nse_token: str  # "" when not listed on NSE
    bse_token: str  # "" when not listed on BSE
    isin: str
    group: str  # BSE group
    listed_on: date
    face_value: int


def isin_check_digit(body: str) -> int:
    """ISIN check digit: letters become two digits (A=10), then the Luhn sum."""
    digits = "".join(str(int(ch, 36)) for ch in body)
    total = 0
    for position, ch in enumerate(reversed(digits)):
        value = int(ch) * (2 if position % 2 == 0 else 1)
        total += value // 10 + value % 10
    return (10 - total % 10) % 10


def make_isin(issuer: int, security: int = 1, kind: str = "E") -> str:
    """A well-formed IN<kind>... ISIN (E company, F fund) with a four-place issuer code."""
    code = ""
    for _ in range(4):
        issuer, digit = divmod(issuer, 36)
        code = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[digit] + code
    body = f"IN{kind}{code}{security:02d}01"
    return body + str(isin_check_digit(body))


def _unique(wanted: str, taken: set[str], rng: random.Random, length: int) -> str:
    candidate = wanted
    while candidate in taken:
        spot = rng.randrange(1, length)
        candidate = candidate[:spot] + rng.choice(_LETTERS) + candidate[spot + 1:]
    taken.add(candidate)
    return candidate


def _numbers(rng: random.Random, start: int, count: int, avoid: set[str]) -> list[str]:
    out: list[str] = []
    value = start
    while len(out) < count:
        value += rng.randint(1, 5)
        if str(value) not in avoid:
            out.append(str(value))
    return out


def companies(seed: int, count: int, taken_codes: Iterable[str],
              taken_symbols: Iterable[str], taken_nse: Iterable[str],
              taken_bse: Iterable[str]) -> list[Company]:
    """`count` invented companies: 45% on both exchanges, 10% NSE only, 45% BSE only."""
    rng = random.Random(stream_key(seed, "synthetic-companies"))
    codes, symbols = set(taken_codes), set(taken_symbols)
    names: set[str] = set()
    listing = ["both" if i % 20 < 9 else "nse" if i % 20 < 11 else "bse" for i in range(count)]
    nse_count = sum(1 for where in listing if where != "bse")
    nse_tokens = iter(_numbers(rng, 15_000, nse_count, set(taken_nse)))
    bse_tokens = iter(_numbers(rng, 511_000, count - listing.count("nse"), set(taken_bse)))
    out: list[Company] = []
    for index, where in enumerate(listing):
        while True:
            word = rng.choice(_HEADS) + rng.choice(_JOINS) + rng.choice(_TAILS)
            trade = rng.choice(_TRADES)
            name = f"{word} {trade}"
            if name not in names:
                names.add(name)
                break
        code = _unique((word[:3] + trade[:3]).upper(), codes, rng, 6)
        symbol = _unique(word[:10] if len(word) >= 4 else word + trade[:3], symbols, rng,
                         min(len(word), 10))
        # Log-uniform prices from penny stocks to a few thousand rupees, a handful above.
        base = math.exp(rng.uniform(math.log(8), math.log(6_000)))
        if rng.random() < 0.02:
            base *= 4
        out.append(Company(
            code=code, symbol=symbol, name=name,
            base=round(base, 2), daily_vol=rng.uniform(0.012, 0.022),
            nse_token=next(nse_tokens) if where != "bse" else "",
            bse_token=next(bse_tokens) if where != "nse" else "",
            isin=make_isin(2_000 + index * 7),
            group=rng.choice("BBBTTX") if base < 100 else rng.choice("AABBB"),
            listed_on=date(1990, 1, 1) + timedelta(days=rng.randrange(12_000)),
            face_value=rng.choice((1, 1, 2, 5, 10, 10, 10)),
        ))
    return out


@dataclass(frozen=True, slots=True)
class Scheme:
    """One mutual-fund line of MFScripMaster.txt (listed, never traded here)."""

    company_code: str
    scheme_code: str
    amfi_code: str
    nav: float
    name: str
    option: str
    amc: str
    sub_category: str
    category: str
    isin: str
    reinvest_isin: str
    direct: bool


_AMCS = ("SAHYADRI", "NARMADA", "KAVERI", "ARAVALI", "GODAVARI", "VINDHYA")
_FUNDS = (("LARGE CAP FUND", "Large Cap", "Equity"), ("FLEXI CAP FUND", "Flexi Cap", "Equity"),
          ("LIQUID FUND", "Liquid", "Debt"), ("GILT FUND", "Gilt", "Debt"),
          ("BALANCED ADVANTAGE FUND", "Dynamic Asset Allocation", "Hybrid"),
          ("NIFTY 50 INDEX FUND", "Index Funds", "Other"))


def schemes(seed: int, count: int) -> list[Scheme]:
    rng = random.Random(stream_key(seed, "synthetic-schemes"))
    out: list[Scheme] = []
    for index in range(count):
        amc = _AMCS[index % len(_AMCS)]
        fund, sub, category = _FUNDS[(index // len(_AMCS)) % len(_FUNDS)]
        direct = index % 2 == 0
        option = ("GROWTH", "IDCW")[(index // 2) % 2]
        plan = "DIRECT" if direct else "REGULAR"
        out.append(Scheme(
            company_code=f"{amc[:3]}MF", scheme_code=f"{amc[:2]}{index:05d}",
            amfi_code=str(100_000 + index * 13), nav=round(rng.uniform(10, 900), 4),
            name=f"{amc} {fund} - {plan} PLAN", option=option,
            amc=f"{amc} MUTUAL FUND", sub_category=sub, category=category,
            isin=make_isin(30_000 + index, 1, "F"),
            reinvest_isin=make_isin(30_000 + index, 2, "F") if option == "IDCW" else "",
            direct=direct,
        ))
    return out
