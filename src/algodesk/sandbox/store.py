"""The paper account's own tables in the platform database (revision 0002).

`sandbox_orders`, `sandbox_trades`, `sandbox_positions`, `sandbox_holdings` and
`sandbox_funds`, without secondary indexes: they are read whole once, at start, and
every index is another page written with each paper order. Money is stored as decimal
text (exact on every database) and times as ISO-8601 UTC text, so one set of plain
parameterised statements serves SQLite and PostgreSQL alike: on SQLite through the
connection the order journal writes with (`storage.SqliteWriter`: one page cache), each
change one transaction, synced at NORMAL (WAL: it survives a crash of the process, and it
follows the journal's intent in the log; paper needs no fsync per order), elsewhere
through SQLAlchemy's `text()`. SQLAlchemy's
statement building costs three times what the statements themselves cost here, on
every paper order.

The paper broker keeps the account in memory and writes each change through before it
answers; the store is read once, at start.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from ..domain.orders import OrderStatus, PriceType, Product, Side
from ..storage import Base, Database
from .account import Account, PaperHolding, PaperPosition

ZERO = Decimal(0)


class PaperOrderRow(Base):
    __tablename__ = "sandbox_orders"

    order_id: Mapped[str] = mapped_column(String(20), primary_key=True)
    day: Mapped[str] = mapped_column(String(10))  # session day, ISO date
    tag: Mapped[str] = mapped_column(String(20), default="")
    symbol: Mapped[str] = mapped_column(String(100))
    exchange: Mapped[str] = mapped_column(String(10))
    side: Mapped[str] = mapped_column(String(4))
    quantity: Mapped[int] = mapped_column(Integer)
    filled_quantity: Mapped[int] = mapped_column(Integer, default=0)
    price_type: Mapped[str] = mapped_column(String(6))
    product: Mapped[str] = mapped_column(String(4))
    price: Mapped[str] = mapped_column(String(24))
    trigger_price: Mapped[str] = mapped_column(String(24))
    average_price: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(16))
    margin: Mapped[str] = mapped_column(String(24))  # blocked while it works
    message: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")  # the fill rule, once filled
    placed_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))


class PaperTradeRow(Base):
    __tablename__ = "sandbox_trades"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_id: Mapped[str] = mapped_column(String(20))
    day: Mapped[str] = mapped_column(String(10))
    symbol: Mapped[str] = mapped_column(String(100))
    exchange: Mapped[str] = mapped_column(String(10))
    side: Mapped[str] = mapped_column(String(4))
    quantity: Mapped[int] = mapped_column(Integer)
    price: Mapped[str] = mapped_column(String(24))
    product: Mapped[str] = mapped_column(String(4))
    traded_at: Mapped[str] = mapped_column(String(32))
    fill_rule: Mapped[str] = mapped_column(Text)  # which rule made the price, in words


class PaperPositionRow(Base):
    __tablename__ = "sandbox_positions"

    symbol: Mapped[str] = mapped_column(String(100), primary_key=True)
    exchange: Mapped[str] = mapped_column(String(10), primary_key=True)
    product: Mapped[str] = mapped_column(String(4), primary_key=True)
    day: Mapped[str] = mapped_column(String(10))
    quantity: Mapped[int] = mapped_column(Integer)
    average_price: Mapped[str] = mapped_column(String(24))
    realised: Mapped[str] = mapped_column(String(24))
    margin: Mapped[str] = mapped_column(String(24))
    opened_day: Mapped[str] = mapped_column(String(10), default="")


class PaperHoldingRow(Base):
    __tablename__ = "sandbox_holdings"

    symbol: Mapped[str] = mapped_column(String(100), primary_key=True)
    exchange: Mapped[str] = mapped_column(String(10), primary_key=True)
    quantity: Mapped[int] = mapped_column(Integer)
    average_price: Mapped[str] = mapped_column(String(24))
    settled_day: Mapped[str] = mapped_column(String(10))


class PaperFundsRow(Base):
    __tablename__ = "sandbox_funds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    capital: Mapped[str] = mapped_column(String(24))
    cash: Mapped[str] = mapped_column(String(24))
    day: Mapped[str] = mapped_column(String(10))  # the session day last rolled to
    reset_at: Mapped[str] = mapped_column(String(32))


@dataclass(slots=True)
class PaperOrder:
    """One paper order as the broker keeps it."""

    order_id: str
    day: dt.date
    symbol: str
    exchange: str
    side: Side
    quantity: int
    price_type: PriceType
    product: Product
    price: Decimal  # the limit (LIMIT, SL; SL-M: 0)
    trigger_price: Decimal
    status: OrderStatus
    placed_at: dt.datetime
    updated_at: dt.datetime
    tag: str = ""
    filled_quantity: int = 0
    average_price: Decimal = ZERO
    margin: Decimal = ZERO
    message: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class PaperTrade:
    order_id: str
    day: dt.date
    symbol: str
    exchange: str
    side: Side
    quantity: int
    price: Decimal
    product: Product
    traded_at: dt.datetime
    fill_rule: str


@dataclass(slots=True)
class Change:
    """What one action changed, written in one transaction."""

    orders: list[PaperOrder] = field(default_factory=list)
    trades: list[PaperTrade] = field(default_factory=list)
    positions: list[PaperPosition] = field(default_factory=list)
    removed_positions: list[PaperPosition] = field(default_factory=list)
    holdings: list[PaperHolding] = field(default_factory=list)
    funds: bool = False

    def __bool__(self) -> bool:
        return bool(self.orders or self.trades or self.positions or self.removed_positions
                    or self.holdings or self.funds)

    @classmethod
    def merged(cls, changes: list[Change]) -> Change:
        """Several changes as one: each order, position and holding once (its state now),
        every trade, a position removed unless stored again after."""
        orders: dict[str, PaperOrder] = {}
        positions: dict[tuple[str, str, Product], tuple[bool, PaperPosition]] = {}
        holdings: dict[tuple[str, str], PaperHolding] = {}
        merged = cls()
        for change in changes:
            orders.update((o.order_id, o) for o in change.orders)
            merged.trades += change.trades
            for position in change.removed_positions:
                positions[position.key] = (False, position)
            for position in change.positions:
                positions[position.key] = (True, position)
            holdings.update(((h.symbol, h.exchange), h) for h in change.holdings)
            merged.funds = merged.funds or change.funds
        merged.orders = list(orders.values())
        merged.positions = [p for kept, p in positions.values() if kept]
        merged.removed_positions = [p for kept, p in positions.values() if not kept]
        merged.holdings = list(holdings.values())
        return merged


@dataclass(slots=True)
class Loaded:
    """The paper account as stored."""

    account: Account
    day: dt.date | None  # the session day last rolled to (None: nothing stored)
    orders: list[PaperOrder]
    trades: list[PaperTrade]
    last_order_id: dict[str, str]  # per YYMMDD prefix, the highest order id


def _time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def _read_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value)


def _day(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


_ORDER_COLUMNS = ("order_id", "day", "tag", "symbol", "exchange", "side", "quantity",
                  "filled_quantity", "price_type", "product", "price", "trigger_price",
                  "average_price", "status", "margin", "message", "note", "placed_at",
                  "updated_at")
_ORDER_CHANGING = ("quantity", "filled_quantity", "price_type", "price", "trigger_price",
                   "average_price", "status", "margin", "message", "note", "updated_at")
_TRADE_COLUMNS = ("order_id", "day", "symbol", "exchange", "side", "quantity", "price",
                  "product", "traded_at", "fill_rule")
_POSITION_COLUMNS = ("symbol", "exchange", "product", "day", "quantity", "average_price",
                     "realised", "margin", "opened_day")
_HOLDING_COLUMNS = ("symbol", "exchange", "quantity", "average_price", "settled_day")
_FUNDS_COLUMNS = ("id", "capital", "cash", "day", "reset_at")


def _upsert(table: str, columns: Sequence[str], keys: Sequence[str]) -> str:
    """INSERT … ON CONFLICT DO UPDATE (SQLite 3.24+ and PostgreSQL spell it alike)."""
    changing = [c for c in columns if c not in keys]
    return (f"INSERT INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join(':' + c for c in columns)}) "
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in changing))


_INSERT_ORDER = (f"INSERT INTO sandbox_orders ({', '.join(_ORDER_COLUMNS)}) "
                 f"VALUES ({', '.join(':' + c for c in _ORDER_COLUMNS)}) "
                 "ON CONFLICT (order_id) DO UPDATE SET "
                 + ", ".join(f"{c} = excluded.{c}" for c in _ORDER_CHANGING))
_INSERT_TRADE = (f"INSERT INTO sandbox_trades ({', '.join(_TRADE_COLUMNS)}) "
                 f"VALUES ({', '.join(':' + c for c in _TRADE_COLUMNS)})")
_UPSERT_POSITION = _upsert("sandbox_positions", _POSITION_COLUMNS,
                           ("symbol", "exchange", "product"))
_DELETE_POSITION = ("DELETE FROM sandbox_positions WHERE symbol = :symbol AND "
                    "exchange = :exchange AND product = :product")
_UPSERT_HOLDING = _upsert("sandbox_holdings", _HOLDING_COLUMNS, ("symbol", "exchange"))
_DELETE_HOLDING = "DELETE FROM sandbox_holdings WHERE symbol = :symbol AND exchange = :exchange"
_UPSERT_FUNDS = _upsert("sandbox_funds", _FUNDS_COLUMNS, ("id",))
_TABLES = ("sandbox_orders", "sandbox_trades", "sandbox_positions", "sandbox_holdings",
           "sandbox_funds")


def _order_values(order: PaperOrder) -> dict[str, Any]:
    return {"order_id": order.order_id, "day": order.day.isoformat(), "tag": order.tag,
            "symbol": order.symbol, "exchange": order.exchange, "side": order.side.value,
            "quantity": order.quantity, "filled_quantity": order.filled_quantity,
            "price_type": order.price_type.value, "product": order.product.value,
            "price": str(order.price), "trigger_price": str(order.trigger_price),
            "average_price": str(order.average_price), "status": order.status.value,
            "margin": str(order.margin), "message": order.message, "note": order.note,
            "placed_at": _time(order.placed_at), "updated_at": _time(order.updated_at)}


def _trade_values(trade: PaperTrade) -> dict[str, Any]:
    return {"order_id": trade.order_id, "day": trade.day.isoformat(), "symbol": trade.symbol,
            "exchange": trade.exchange, "side": trade.side.value, "quantity": trade.quantity,
            "price": str(trade.price), "product": trade.product.value,
            "traded_at": _time(trade.traded_at), "fill_rule": trade.fill_rule}


def _position_values(position: PaperPosition) -> dict[str, Any]:
    return {"symbol": position.symbol, "exchange": position.exchange,
            "product": position.product.value, "day": position.day.isoformat(),
            "quantity": position.quantity, "average_price": str(position.average_price),
            "realised": str(position.realised), "margin": str(position.margin),
            "opened_day": position.opened_day.isoformat() if position.opened_day else ""}


def _holding_values(holding: PaperHolding) -> dict[str, Any]:
    return {"symbol": holding.symbol, "exchange": holding.exchange,
            "quantity": holding.quantity, "average_price": str(holding.average_price),
            "settled_day": holding.settled_day.isoformat()}


class PaperStore:
    def __init__(self, database: Database) -> None:
        self.database = database
        # On SQLite the order path's shared writer (one page cache with the journal).
        self._writer = database.writer
        self._reset_at = ""  # when the account was last reset (ISO UTC), as stored

    # -- the statements ------------------------------------------------------------------

    def _run(self, statements: Iterable[tuple[str, Any]], *, query: str | None = None,
             params: dict[str, Any] | None = None) -> list[tuple[Any, ...]]:
        """Statements (SQL, parameters or a list of them) in one transaction, after what
        is queued; then `query`'s rows (with `params`), when given."""
        if self._writer is not None:
            return self._writer.run(statements, query, params or {})
        with self.database.engine.begin() as connection:
            for sql, values in statements:
                connection.execute(text(sql), values)
            if query is None:
                return []
            return [tuple(r) for r in connection.execute(text(query), params or {})]

    def write(self, change: Change, account: Account, day: dt.date, reset_at: str = ""
              ) -> asyncio.Future[None] | None:
        """Store a change: on SQLite with the writer's next group commit (one per turn of
        the event loop, after the journal intents queued before it); returns that
        commit's future (None: written already)."""
        statements: list[tuple[str, Any]] = []
        if change.orders:
            statements.append((_INSERT_ORDER, [_order_values(o) for o in change.orders]))
        if change.trades:
            statements.append((_INSERT_TRADE, [_trade_values(t) for t in change.trades]))
        for position in change.positions:
            statements.append((_UPSERT_POSITION, _position_values(position)))
        for position in change.removed_positions:
            statements.append((_DELETE_POSITION, _position_values(position)))
        for holding in change.holdings:
            values = _holding_values(holding)
            statements.append((_UPSERT_HOLDING if holding.quantity else _DELETE_HOLDING,
                               values))
        if change.funds:
            statements.append((_UPSERT_FUNDS, self._funds_values(account, day, reset_at)))
        if not statements:
            return None
        if self._writer is not None:
            return self._writer.defer(statements)
        self._run(statements)
        return None

    def _funds_values(self, account: Account, day: dt.date, reset_at: str) -> dict[str, Any]:
        return {"id": 1, "capital": str(account.capital), "cash": str(account.cash),
                "day": day.isoformat(), "reset_at": reset_at or self._reset_at}

    # -- reading it back ------------------------------------------------------------------

    def load(self, capital: Decimal, since: dt.date) -> Loaded:
        """The stored account; orders and trades of session days from `since` on, and
        every order still working. Without a stored account: a fresh one of `capital`."""
        funds = self._run((), query=f"SELECT {', '.join(_FUNDS_COLUMNS)} FROM sandbox_funds "
                                    "WHERE id = 1")
        if not funds:
            return Loaded(Account(capital), None, [], [], {})
        _, stored_capital, cash, day, reset_at = funds[0]
        self._reset_at = reset_at
        account = Account(Decimal(stored_capital), Decimal(cash))
        for row in self._run((), query=f"SELECT {', '.join(_POSITION_COLUMNS)} "
                                       "FROM sandbox_positions"):
            symbol, exchange, product, pday, quantity, average, realised, margin, opened = row
            position = PaperPosition(symbol, exchange, Product(product), _day(pday) or since,
                                     quantity, Decimal(average), Decimal(realised),
                                     Decimal(margin), _day(opened))
            account.positions[position.key] = position
        for symbol, exchange, quantity, average, settled in self._run(
                (), query=f"SELECT {', '.join(_HOLDING_COLUMNS)} FROM sandbox_holdings"):
            account.holdings[(symbol, exchange)] = PaperHolding(
                symbol, exchange, quantity, Decimal(average), _day(settled) or since)
        working = "', '".join((OrderStatus.OPEN.value, OrderStatus.TRIGGER_PENDING.value))
        orders = [self._order(row) for row in self._run((), query=(
            f"SELECT {', '.join(_ORDER_COLUMNS)} FROM sandbox_orders WHERE day >= :since "
            f"OR status IN ('{working}') ORDER BY order_id"), params={"since": since.isoformat()})]
        trades = [PaperTrade(order_id, _day(tday) or since, symbol, exchange, Side(side),
                             quantity, Decimal(price), Product(product), _read_time(at), rule)
                  for order_id, tday, symbol, exchange, side, quantity, price, product, at, rule
                  in self._run((), query=(
                      f"SELECT {', '.join(_TRADE_COLUMNS)} FROM sandbox_trades "
                      "WHERE day >= :since ORDER BY id"), params={"since": since.isoformat()})]
        last: dict[str, str] = {}
        for (highest,) in self._run((), query=(
                "SELECT MAX(order_id) FROM sandbox_orders GROUP BY substr(order_id, 1, 6)")):
            last[highest[:6]] = highest
        return Loaded(account, _day(day), orders, trades, last)

    @staticmethod
    def _order(row: tuple[Any, ...]) -> PaperOrder:
        values = dict(zip(_ORDER_COLUMNS, row, strict=True))
        return PaperOrder(
            values["order_id"], dt.date.fromisoformat(values["day"]), values["symbol"],
            values["exchange"], Side(values["side"]), values["quantity"],
            PriceType(values["price_type"]), Product(values["product"]),
            Decimal(values["price"]), Decimal(values["trigger_price"]),
            OrderStatus(values["status"]), _read_time(values["placed_at"]),
            _read_time(values["updated_at"]), values["tag"], values["filled_quantity"],
            Decimal(values["average_price"]), Decimal(values["margin"]), values["message"],
            values["note"])

    def orders_since(self, since: dt.date) -> list[PaperOrder]:
        """Orders of session days from `since` on (older than what is kept in memory)."""
        return [self._order(row) for row in self._run((), query=(
            f"SELECT {', '.join(_ORDER_COLUMNS)} FROM sandbox_orders WHERE day >= :since "
            "ORDER BY order_id"), params={"since": since.isoformat()})]

    def reset(self, account: Account, day: dt.date, reset_at: str) -> None:
        """Everything of the paper account gone; `account` (fresh) stored in its place."""
        self._reset_at = reset_at
        self._run([*((f"DELETE FROM {table}", {}) for table in _TABLES),
                   (_UPSERT_FUNDS, self._funds_values(account, day, reset_at))])

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


__all__ = [
    "Change",
    "Loaded",
    "PaperFundsRow",
    "PaperHoldingRow",
    "PaperOrder",
    "PaperOrderRow",
    "PaperPositionRow",
    "PaperStore",
    "PaperTrade",
    "PaperTradeRow",
]
