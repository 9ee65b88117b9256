"""Dictionary look-ups over the universe: by contract, by token, by underlying.

Requests spell things many ways (``NFO``/``nfo``, ``call``/``CE``, ``24000``/``24000.00``,
an expiry as a date or a datetime); they are normalised here so every look-up is one
dictionary probe.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .types import Instrument

_PRODUCTS = {"cash": "cash", "": "cash", "future": "futures", "futures": "futures",
             "option": "options", "options": "options"}
_RIGHTS = {"call": "call", "ce": "call", "put": "put", "pe": "put", "others": "others"}


class InstrumentIndex:
    def __init__(self, instruments: Iterable[Instrument]) -> None:
        self._by_key: dict[tuple[Any, ...], Instrument] = {}
        self._by_token: dict[tuple[str, str], Instrument] = {}
        self._options: dict[tuple[str, str], list[Instrument]] = {}
        self._options_by_expiry: dict[tuple[str, str, date], list[Instrument]] = {}
        self._futures: dict[tuple[str, str], list[Instrument]] = {}
        for inst in instruments:
            ex, code = inst.exchange_code, inst.stock_code
            self._by_token[(ex, inst.token)] = inst
            if inst.product == "cash":
                self._by_key[(ex, code, "cash", None, None, None)] = inst
            elif inst.product == "futures":
                self._by_key[(ex, code, "futures", inst.expiry, None, None)] = inst
                self._futures.setdefault((ex, code), []).append(inst)
            else:
                assert inst.expiry is not None
                self._by_key[(ex, code, "options", inst.expiry, inst.strike, inst.right)] = inst
                self._options.setdefault((ex, code), []).append(inst)
                self._options_by_expiry.setdefault((ex, code, inst.expiry), []).append(inst)
        for items in [*self._options.values(), *self._options_by_expiry.values(),
                      *self._futures.values()]:
            items.sort(key=_contract_order)

    def find(self, exchange_code: str, stock_code: str, product: str,
             expiry: date | None = None, strike: Decimal | None = None,
             right: str | None = None) -> Instrument | None:
        ex, code = exchange_code.upper(), stock_code.upper()
        kind = _PRODUCTS.get(product.strip().lower())
        if kind == "cash":
            return self._by_key.get((ex, code, "cash", None, None, None))
        if kind is None or expiry is None:
            return None
        expiry = _as_date(expiry)
        if kind == "futures":
            return self._by_key.get((ex, code, "futures", expiry, None, None))
        side = _RIGHTS.get((right or "").strip().lower())
        value = as_decimal(strike)
        if side not in ("call", "put") or value is None:
            return None
        return self._by_key.get((ex, code, "options", expiry, value, side))

    def by_token(self, exchange_code: str, token: str) -> Instrument | None:
        return self._by_token.get((exchange_code.upper(), str(token).strip()))

    def chain(self, exchange_code: str, stock_code: str, expiry: date | None = None,
              right: str | None = None, strike: Decimal | None = None) -> list[Instrument]:
        ex, code = exchange_code.upper(), stock_code.upper()
        if expiry is not None:
            items = self._options_by_expiry.get((ex, code, _as_date(expiry)), [])
        else:
            items = self._options.get((ex, code), [])
        side = None
        if right is not None:
            side = _RIGHTS.get(right.strip().lower())
            if side not in ("call", "put"):
                return []
        value = None
        if strike is not None:
            value = as_decimal(strike)
            if value is None:
                return []
        return [i for i in items
                if (side is None or i.right == side) and (value is None or i.strike == value)]

    def futures(self, exchange_code: str, stock_code: str) -> list[Instrument]:
        return list(self._futures.get((exchange_code.upper(), stock_code.upper()), []))


def _as_date(value: date) -> date:
    # datetime is a date subclass that never compares equal to a date: strip the time.
    return value.date() if isinstance(value, datetime) else value


def _contract_order(inst: Instrument) -> tuple[date, Decimal, str]:
    assert inst.expiry is not None
    return inst.expiry, inst.strike, inst.right or ""


def as_decimal(value: object) -> Decimal | None:
    """A finite Decimal from a Decimal, number or text; None when it is not one."""
    if value is None:
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None
