"""The signed v1 endpoints: request validation and answers, one function per
(endpoint, method). Each takes the decoded JSON body and returns the `Success` value or
raises BadRequest with the error text the client sees."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from .clock import IST
from .exchange import SEGMENT_OF_EXCHANGE, Exchange, Order
from .market import Instrument, Market
from .rows import (
    PRODUCT_LABEL,
    RIGHT_LABEL,
    candle_v1_row,
    chain_row,
    demat_row,
    equity_holding_row,
    fno_holding_row,
    missing_quote_row,
    order_row,
    position_row,
    quote_row,
    trade_detail_row,
    trade_row,
)
from .wire import BadRequest, money, parse_date, parse_datetime, parse_decimal, parse_int

EXCHANGES = ("NSE", "BSE", "NFO", "BFO", "NDX", "MCX")
ORDER_PRODUCTS = ("futures", "options", "cash", "btst", "mtf")
PROHIBITED_PRODUCTS = ("margin", "optionplus", "futureplus", "eatm")
MAX_CANDLES = 1000

class EmptyResult(Exception):
    """A successful call with nothing to show: Status 200, Success null, this text."""


def text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    return "" if value is None else str(value).strip()


def required(body: dict[str, Any], key: str, label: str) -> str:
    value = text(body, key)
    if not value:
        raise BadRequest(f"{label} cannot be empty")
    return value


def exchange_of(body: dict[str, Any], allowed: tuple[str, ...] = EXCHANGES) -> str:
    code = required(body, "exchange_code", "Exchange-Code").upper()
    if code not in allowed:
        choices = ", ".join(f"'{c.lower()}'" for c in allowed)
        raise BadRequest(f"Exchange-Code should be either {choices}")
    return code


def price_of(value: str, field: str) -> Decimal:
    """A price, with float noise (`823.8000000000001`, as the SDK's aggressive-limit
    arithmetic sends) rounded away; a price off the tick grid is still refused later."""
    try:
        return parse_decimal(value, field).quantize(Decimal("0.0001")).normalize()
    except InvalidOperation as exc:  # more digits than a Decimal holds ("1e400")
        raise BadRequest(f"{field} should be a number") from exc


def right_of(value: str) -> str:
    right = value.lower()
    if right not in RIGHT_LABEL:
        raise BadRequest("Right should be either 'call', 'put', or 'others'")
    return right


class Endpoints:
    """Every signed v1 endpoint of the simulated Breeze server."""

    def __init__(self, market: Market, exchange: Exchange, clock_now: Callable[[], float]) -> None:
        self.market = market
        self.exchange = exchange
        self.now = clock_now
        self.table: dict[tuple[str, str], Callable[[dict[str, Any]], Any]] = {
            ("funds", "GET"): self.get_funds,
            ("funds", "POST"): self.set_funds,
            ("dematholdings", "GET"): self.demat_holdings,
            ("portfolioholdings", "GET"): self.portfolio_holdings,
            ("portfoliopositions", "GET"): self.portfolio_positions,
            ("order", "POST"): self.place_order,
            ("order", "GET"): self.get_order,
            ("order", "PUT"): self.modify_order,
            ("order", "DELETE"): self.cancel_order,
            ("trades", "GET"): self.trades,
            ("quotes", "GET"): self.quotes,
            ("optionchain", "GET"): self.option_chain,
            ("historicalcharts", "GET"): self.history_v1,
            ("margin", "GET"): self.get_margin,
            ("margin", "POST"): self.add_margin,
            ("squareoff", "POST"): self.square_off,
            ("preview_order", "GET"): self.preview_order,
            ("margincalculator", "POST"): self.margin_calculator,
        }

    # -- instruments ----------------------------------------------------------------

    def instrument(self, body: dict[str, Any], exchange_code: str, product: str,
                   product_key: str = "product_type") -> Instrument:
        stock_code = required(body, "stock_code", "Stock-Code").upper()
        if product in ("cash", "btst", "mtf", ""):
            if exchange_code not in ("NSE", "BSE"):
                raise BadRequest(
                    f"Product-type should be either 'futures' or 'options' for "
                    f"Exchange-Code '{exchange_code}'"
                )
            inst = self.market.find(exchange_code, stock_code, "cash")
            if inst is None:
                raise BadRequest(f"Stock-Code {stock_code} is not listed on {exchange_code}")
            return inst
        if product not in ("futures", "options"):
            raise BadRequest(
                "Product should be either 'futures', 'options', 'cash', 'btst' or 'mtf'"
            )
        if exchange_code in ("NSE", "BSE"):
            raise BadRequest(f"Product '{product}' is not traded on Exchange-Code '{exchange_code}'")
        expiry_text = text(body, "expiry_date")
        if not expiry_text:
            raise BadRequest(f"Expiry-Date cannot be empty for exchange-code '{exchange_code.lower()}'")
        expiry = parse_date(expiry_text, "Expiry-Date")
        strike: Decimal | None = None
        right: str | None = None
        if product == "options":
            strike_text = text(body, "strike_price")
            if not strike_text:
                raise BadRequest("Strike-Price cannot be empty for Product-Type 'options'")
            strike = parse_decimal(strike_text, "Strike-Price")
            right = right_of(required(body, "right", "Right"))
            if right == "others":
                raise BadRequest("Right should be either 'call' or 'put' for Product-Type 'options'")
        inst = self.market.find(exchange_code, stock_code, product, expiry, strike, right)
        if inst is None:
            described = f"{stock_code} {product} expiring {expiry:%d-%b-%Y}"
            if product == "options":
                described += f" strike {strike} {right}"
            raise BadRequest(f"No contract found on {exchange_code} for {described}")
        return inst

    def date_range(self, body: dict[str, Any], required_dates: bool) -> tuple[date, date]:
        today = datetime.fromtimestamp(self.now(), IST).date()
        first_text, last_text = text(body, "from_date"), text(body, "to_date")
        if required_dates and not first_text:
            raise BadRequest("From-Date cannot be empty")
        if required_dates and not last_text:
            raise BadRequest("To-Date cannot be empty")
        first = parse_date(first_text, "From-Date") if first_text else date(2000, 1, 1)
        last = parse_date(last_text, "To-Date") if last_text else today
        if first > last:
            raise BadRequest("From-Date should be before To-Date")
        return first, last

    # -- funds ----------------------------------------------------------------------

    def get_funds(self, body: dict[str, Any]) -> dict[str, Any]:
        self.exchange.advance()
        funds = self.exchange.funds
        allocated = funds.allocated
        blocked = {segment: self.exchange.blocked(segment) for segment in allocated}
        return {
            "bank_account": "123400005678",
            "total_bank_balance": float(funds.bank_balance),
            "allocated_equity": float(allocated["equity"]),
            "allocated_fno": float(allocated["fno"]),
            "allocated_commodity": float(allocated["commodity"]),
            "allocated_currency": float(allocated["currency"]),
            "block_by_trade_equity": float(blocked["equity"]),
            "block_by_trade_fno": float(blocked["fno"]),
            "block_by_trade_commodity": float(blocked["commodity"]),
            "block_by_trade_currency": float(blocked["currency"]),
            "block_by_trade_balance": float(sum(blocked.values(), Decimal(0))),
            "unallocated_balance": money(funds.unallocated),
        }

    def set_funds(self, body: dict[str, Any]) -> dict[str, Any]:
        kind = required(body, "transaction_type", "Transaction-Type").lower()
        if kind not in ("debit", "credit"):
            raise BadRequest("Transaction-Type should be either 'debit' or 'credit'")
        amount_text = required(body, "amount", "Amount")
        if not amount_text.isdigit():
            raise BadRequest("Amount should only contain digits")
        amount = Decimal(amount_text)
        if amount <= 0:
            raise BadRequest("Amount should be more than 0")
        segment_text = required(body, "segment", "Segment").lower()
        segments = {"equity": "equity", "fno": "fno", "commodity": "commodity",
                    "currency": "currency"}
        if segment_text not in segments:
            raise BadRequest("Segment should be either 'Equity', 'FNO', 'Commodity' or 'Currency'")
        self.exchange.allocate(kind, amount, segments[segment_text])
        return {"status": "Success"}

    # -- holdings and positions ------------------------------------------------------

    def demat_holdings(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        self.exchange.advance()
        rows = []
        for holding in self.exchange.holdings.values():
            blocked = self.exchange._pending_sells(holding.stock_code)
            rows.append(demat_row(holding, blocked))
        return rows

    def portfolio_holdings(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        exchange_code = exchange_of(body)
        self.date_range(body, required_dates=False)
        stock_code = text(body, "stock_code").upper()
        now = self.now()
        rows = []
        if exchange_code in ("NSE", "BSE"):
            self.exchange.advance()
            for holding in self.exchange.holdings.values():
                if stock_code and holding.stock_code != stock_code:
                    continue
                inst = (self.market.find(exchange_code, holding.stock_code, "cash")
                        or self.market.find("NSE", holding.stock_code, "cash"))
                if inst is None:
                    continue
                rows.append(equity_holding_row(holding, exchange_code,
                                               self.market.quote(inst, now)))
            return rows
        for position in self.exchange.open_positions():
            inst = position.inst
            if inst.exchange_code != exchange_code or not inst.is_derivative:
                continue
            if stock_code and inst.stock_code != stock_code:
                continue
            rows.append(fno_holding_row(position, self.market.ltp(inst, now)))
        return rows

    def portfolio_positions(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        now = self.now()
        positions = self.exchange.open_positions()
        if not positions:
            raise EmptyResult("No Positions available.")
        return [position_row(p, self.market.ltp(p.inst, now)) for p in positions]

    # -- orders ---------------------------------------------------------------------

    def _order_fields(self, body: dict[str, Any], *, product: str) -> dict[str, Any]:
        action = required(body, "action", "Action").lower()
        if action not in ("buy", "sell"):
            raise BadRequest("Action should be either 'buy', or 'sell'")
        if product == "mtf" and action == "sell":
            raise BadRequest("SELL action is not allowed for MTF product type. ")
        order_type = required(body, "order_type", "Order-type").lower()
        if order_type not in ("limit", "stoploss"):
            raise BadRequest("Order-type should be either 'limit' or 'stoploss'")
        validity = required(body, "validity", "Validity").lower()
        if validity not in ("day", "ioc", "vtc"):
            raise BadRequest("Validity should be either 'day', 'ioc', or 'vtc'")
        price_text = text(body, "price")
        if not price_text:
            raise BadRequest("Price cannot be empty for a limit or stoploss order")
        trigger_text = text(body, "stoploss")
        disclosed_text = text(body, "disclosed_quantity")
        return {
            "action": action,
            "order_type": order_type,
            "validity": validity,
            "price": price_of(price_text, "Price"),
            "trigger": price_of(trigger_text, "Stoploss") if trigger_text else Decimal(0),
            "disclosed_quantity": parse_int(disclosed_text, "Disclosed-Quantity")
            if disclosed_text else 0,
        }

    def _product(self, body: dict[str, Any], key: str) -> str:
        product = required(body, key, "Product").lower()
        if product in PROHIBITED_PRODUCTS:
            raise BadRequest(
                f"Placing, modifying or cancelling {product.title()} orders through Breeze "
                "is not permitted"
            )
        if product not in ORDER_PRODUCTS:
            raise BadRequest(
                "Product should be either 'futures', 'options', 'cash', 'btst' or 'mtf'"
            )
        return product

    def _quantity(self, body: dict[str, Any], exchange_code: str, inst: Instrument) -> int:
        if exchange_code == "MCX" and not text(body, "quantity"):
            lots = parse_int(required(body, "lots", "Lots"), "Lots")
            return lots * inst.lot_size
        return parse_int(required(body, "quantity", "Quantity"), "Quantity")

    def place_order(self, body: dict[str, Any], prefix: str | None = None) -> dict[str, Any]:
        required(body, "stock_code", "Stock-Code")
        exchange_code = exchange_of(body)
        product = self._product(body, "product")
        fields = self._order_fields(body, product=product)
        inst = self.instrument(body, exchange_code, product)
        quantity = self._quantity(body, exchange_code, inst)
        order = self.exchange.place(
            inst, product=product, quantity=quantity,
            user_remark=text(body, "user_remark"), validity_date=text(body, "validity_date"),
            prefix=prefix, **fields,
        )
        if inst.product == "cash":
            return {
                "order_id": order.order_id,
                "message": "Equity CASH Order placed successfully through RI reference no "
                + order.order_id,
                "user_remark": None,  # ICICI echoes null for equity, "" for F&O
            }
        return {"order_id": order.order_id, "message": "Successfully Placed the order",
                "user_remark": ""}

    def _existing_order(self, body: dict[str, Any]) -> Order:
        exchange_code = exchange_of(body)
        order_id = required(body, "order_id", "Order-Id")
        order = self.exchange.find_order(exchange_code, order_id)
        if order is None:
            raise BadRequest("Resource not available")
        return order

    def get_order(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        if "order_id" in body:
            return [order_row(self._existing_order(body))]
        exchange_code = exchange_of(body)
        first, last = self.date_range(body, required_dates=True)
        orders = self.exchange.orders_on(exchange_code, first, last)
        return [order_row(o) for o in reversed(orders)]

    def modify_order(self, body: dict[str, Any]) -> dict[str, Any]:
        order = self._existing_order(body)
        changes: dict[str, Any] = {}
        if text(body, "order_type"):
            order_type = text(body, "order_type").lower()
            if order_type not in ("limit", "stoploss"):
                raise BadRequest("Order-type should be either 'limit' or 'stoploss'")
            changes["order_type"] = order_type
        if text(body, "quantity"):
            changes["quantity"] = parse_int(text(body, "quantity"), "Quantity")
        if text(body, "price"):
            changes["price"] = price_of(text(body, "price"), "Price")
        if text(body, "stoploss"):
            changes["stoploss"] = price_of(text(body, "stoploss"), "Stoploss")
        if text(body, "validity"):
            validity = text(body, "validity").lower()
            if validity not in ("day", "ioc", "vtc"):
                raise BadRequest("Validity should be either 'day', 'ioc', or 'vtc'")
            changes["validity"] = validity
        if text(body, "disclosed_quantity"):
            changes["disclosed_quantity"] = parse_int(
                text(body, "disclosed_quantity"), "Disclosed-Quantity")
        self.exchange.modify(order, changes)
        return {"message": "Successfully Modified the order", "order_id": order.order_id}

    def cancel_order(self, body: dict[str, Any]) -> dict[str, Any]:
        order = self._existing_order(body)
        self.exchange.cancel(order)
        return {"order_id": order.order_id, "message": "Your Order Canceled successfully."}

    # -- trades ---------------------------------------------------------------------

    def trades(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        now = self.now()
        if "order_id" in body:
            order = self._existing_order(body)
            if not order.fills:
                raise BadRequest("No Data Found")
            return [trade_detail_row(order, fill) for fill in order.fills]
        exchange_code = exchange_of(body)
        first, last = self.date_range(body, required_dates=False)
        product = text(body, "product_type").lower()
        action = text(body, "action").lower()
        stock_code = text(body, "stock_code").upper()
        rows = []
        for order in reversed(self.exchange.orders_on(exchange_code, first, last)):
            if not order.fills:
                continue
            if product and order.product != product:
                continue
            if action and order.action != action:
                continue
            if stock_code and order.inst.stock_code != stock_code:
                continue
            rows.append(trade_row(order, self.market.ltp(order.inst, now)))
        return rows

    # -- market data ----------------------------------------------------------------

    def _quote_product(self, body: dict[str, Any], exchange_code: str) -> str:
        product = text(body, "product_type").lower()
        if exchange_code in ("NSE", "BSE"):
            return "cash"
        if product not in ("futures", "options"):
            raise BadRequest(
                "Product-type should be either 'futures' or 'options' for Exchange-Code "
                "'NFO' or 'BFO'"
            )
        return product

    def quotes(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        exchange_code = exchange_of(body)
        product = self._quote_product(body, exchange_code)
        now = self.now()
        if product == "cash":
            stock_code = required(body, "stock_code", "Stock-Code").upper()
            rows = []
            for listing in ("NSE", "BSE"):
                inst = self.market.find(listing, stock_code, "cash")
                rows.append(quote_row(inst, self.market.quote(inst, now)) if inst
                            else missing_quote_row(stock_code))
            if all(row["exchange_code"] == "NA" for row in rows):
                raise BadRequest(f"Stock-Code {stock_code} is not listed")
            return rows
        inst = self.instrument(body, exchange_code, product)
        return [quote_row(inst, self.market.quote(inst, now))]

    def option_chain(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        exchange_code = required(body, "exchange_code", "Exchange-Code").upper()
        if exchange_code not in ("NFO", "BFO"):
            raise BadRequest("Exchange code should be nfo or bfo")
        stock_code = required(body, "stock_code", "Stock-Code").upper()
        product = required(body, "product_type", "Product-type").lower()
        if product not in ("futures", "options"):
            raise BadRequest("Product-type should be either 'futures' or 'options'")
        expiry_text, right_text, strike_text = (
            text(body, "expiry_date"), text(body, "right"), text(body, "strike_price"))
        expiry = parse_date(expiry_text, "Expiry-Date") if expiry_text else None
        now = self.now()
        if product == "futures":
            chain = [f for f in self.market.futures(exchange_code, stock_code)
                     if expiry is None or f.expiry == expiry]
        else:
            given = sum(bool(v) for v in (expiry_text, right_text, strike_text))
            if given < 2:
                if not expiry_text and not right_text and not strike_text:
                    raise BadRequest(
                        "Atleast two inputs are required out of Expiry-Date, Right & "
                        "Strike-Price. All three cannot be empty'."
                    )
                if not right_text and not strike_text:
                    raise BadRequest("Either Right or Strike-Price cannot be empty.")
                if not expiry_text and not right_text:
                    raise BadRequest("Either Expiry-Date or Right cannot be empty.")
                raise BadRequest("Either Expiry-Date or Strike-Price cannot be empty.")
            right = right_of(right_text) if right_text else None
            if right == "others":
                right = None
            strike = parse_decimal(strike_text, "Strike-Price") if strike_text else None
            chain = self.market.chain(exchange_code, stock_code, expiry, right, strike)
        if not chain:
            raise BadRequest("No Data Found")
        return [chain_row(inst, self.market.quote(inst, now)) for inst in chain]

    def history_v1(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        interval = required(body, "interval", "Interval").lower()
        interval = {"minute": "1minute", "day": "1day"}.get(interval, interval)
        if interval not in ("1minute", "5minute", "30minute", "1day"):
            raise BadRequest(
                "Interval should be either '1minute', '5minute', '30minute', or '1day'")
        exchange_code = exchange_of(body, ("NSE", "NFO", "NDX", "MCX"))
        start = parse_datetime(required(body, "from_date", "From-Date"), "From-Date")
        end = parse_datetime(required(body, "to_date", "To-Date"), "To-Date")
        product = text(body, "product_type").lower() or "cash"
        try:
            inst = self.instrument(body, exchange_code, product)
        except BadRequest as exc:
            if "cannot be empty" in str(exc) or "should be" in str(exc):
                raise
            raise BadRequest("Historical Data Fail") from exc
        candles = self.market.candles(inst, interval, start, end, now=self.now(),
                                      limit=MAX_CANDLES)
        return [candle_v1_row(inst, c) for c in candles[:MAX_CANDLES]]

    # -- margin, square-off, charges ------------------------------------------------

    def get_margin(self, body: dict[str, Any]) -> dict[str, Any]:
        exchange_code = exchange_of(body)
        segment = SEGMENT_OF_EXCHANGE[exchange_code]
        allocated = self.exchange.funds.allocated[segment]
        blocked = self.exchange.blocked(segment)
        return {
            "limit_list": [],
            "cash_limit": float(allocated - blocked),
            "amount_allocated": float(allocated),
            "block_by_trade": float(blocked),
            "isec_margin": 0.0,
        }

    def add_margin(self, body: dict[str, Any]) -> dict[str, Any]:
        exchange_of(body)
        raise BadRequest("Adding margin to Margin product positions is not permitted through Breeze")

    def square_off(self, body: dict[str, Any]) -> dict[str, Any]:
        exchange_code = exchange_of(body)
        product = self._product(body, "product_type")
        fields = self._order_fields(body, product=product)
        inst = self.instrument(body, exchange_code, product)
        quantity = self._quantity(body, exchange_code, inst)
        self.exchange.advance()
        position = self.exchange.positions.get((inst.exchange_code, inst.token, product))
        closing_side = -1 if fields["action"] == "sell" else 1
        if position is None or position.net == 0 or (position.net > 0) == (closing_side > 0) \
                or quantity > abs(position.net):
            raise BadRequest("Resource not available")
        if not text(body, "stoploss"):
            fields["trigger"] = price_of(text(body, "stoploss_price") or "0", "Stoploss")
        order = self.exchange.place(inst, product=product, quantity=quantity, prefix="25",
                                    user_remark=text(body, "order_reference"), **fields)
        return {"order_id": order.order_id, "message": "Successfully Placed the order",
                "indicator": "0"}

    def preview_order(self, body: dict[str, Any]) -> dict[str, Any]:
        exchange_code = exchange_of(body)
        product = required(body, "product", "Product").lower()
        required(body, "order_type", "Order-type")
        action = required(body, "action", "Action").lower()
        inst = self.instrument(body, exchange_code, "cash" if product in (
            "cash", "margin", "btst", "mtf") else product)
        quantity = parse_int(text(body, "quantity") or "1", "Quantity")
        price_text = text(body, "price")
        price = (parse_decimal(price_text, "Price") if price_text
                 else self.market.ltp(inst, self.now()))
        return charges(inst, product, action, quantity, price)

    def margin_calculator(self, body: dict[str, Any]) -> dict[str, Any]:
        exchange_code = exchange_of(body)
        positions = body.get("list_of_positions")
        if not isinstance(positions, list) or not positions:
            raise BadRequest("List-of-Positions cannot be empty")
        echoed, span, order_value = [], Decimal(0), Decimal(0)
        for item in positions:
            if not isinstance(item, dict):
                raise BadRequest("Each position should be an object")
            product = required(item, "product", "Product").lower()
            inst = self.instrument(item, exchange_code, product)
            quantity = parse_int(required(item, "quantity", "Quantity"), "Quantity")
            action = required(item, "action", "Action").lower()
            price_text = text(item, "price")
            price = (parse_decimal(price_text, "Price") if price_text and
                     parse_decimal(price_text, "Price") > 0 else self.market.ltp(inst, self.now()))
            need = self.exchange._requirement(inst, product, action, quantity, price)
            order_value += price * quantity
            if product == "options" and action == "buy":
                span += Decimal(0)
            else:
                span += need
            echoed.append({
                "strike_price": text(item, "strike_price") or "0",
                "quantity": str(quantity),
                "right": RIGHT_LABEL.get(text(item, "right").lower(), "Others"),
                "product": PRODUCT_LABEL.get(product, product.title()),
                "action": action.title(),
                "price": text(item, "price") or "0",
                "expiry_date": text(item, "expiry_date"),
                "stock_code": inst.stock_code,
            })
        return {
            "margin_calulation": echoed,
            "non_span_margin_required": "0",
            "order_value": money(order_value),
            "order_margin": "0",
            "trade_margin": None,
            "block_trade_margin": "0",
            "span_margin_required": money(span),
        }


def charges(inst: Instrument, product: str, action: str, quantity: int,
            price: Decimal) -> dict[str, float]:
    """A plausible Indian charge schedule; the field arithmetic matches ICICI's sample
    (total_other_charges = stt + stamp + turnover/SEBI + GST; total = brokerage + other)."""
    turnover = price * quantity
    cent = Decimal("0.01")
    brokerage = min(turnover * Decimal("0.00025"), Decimal(20)).quantize(cent)
    if inst.product == "options":
        stt_rate = Decimal("0.001") if action == "sell" else Decimal(0)
        exchange_rate = Decimal("0.0003503")
    elif inst.product == "futures":
        stt_rate = Decimal("0.0002") if action == "sell" else Decimal(0)
        exchange_rate = Decimal("0.0000173")
    else:
        stt_rate = Decimal("0.001") if product == "cash" else Decimal("0.00025")
        exchange_rate = Decimal("0.0000297")
    stt = (turnover * stt_rate).quantize(cent)
    stamp = (turnover * Decimal("0.00015")).quantize(cent) if action == "buy" else Decimal(0)
    exchange_charges = (turnover * exchange_rate).quantize(cent)
    sebi = (turnover * Decimal("0.000001")).quantize(cent)
    gst = ((brokerage + exchange_charges + sebi) * Decimal("0.18")).quantize(cent)
    other = stt + stamp + exchange_charges + sebi + gst
    return {
        "brokerage": float(brokerage),
        "exchange_turnover_charges": float(exchange_charges),
        "stamp_duty": float(stamp),
        "stt": float(stt),
        "sebi_charges": float(sebi),
        "gst": float(gst),
        "total_turnover_and_sebi_charges": float(exchange_charges + sebi),
        "total_other_charges": float(other),
        "total_brokerage": float(brokerage + other),
    }
