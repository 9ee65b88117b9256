"""Breeze wire schemas: one frozen type per response row, named after the venue.

Each docstring names the exact endpoint and method the row comes from. Attribute names
are the wire keys, except where the wire spelling is misleading (`SLTP_price`,
`intial_sltp`, `chnge_oi`, `margin_calulation` …): there the `wire` metadata keeps the
exact key. Money, prices and rates are `Decimal` (the wire mixes strings and numbers);
quantities are `int`. Dates stay the broker's strings (`formats.parse_response_date`
reads them) except candle times, which are parsed to aware IST datetimes.

Required fields have no default: a row without them is a `MalformedResponse`. Every
other field defaults to None (the wire often sends null) and unknown keys are ignored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


@dataclass(frozen=True, slots=True)
class BreezeCustomerDetails:
    """`GET customerdetails` → `Success` (reference §5.1).

    `session_token` is the base64 `user_id:session_key` every signed call carries;
    `user_id` and `session_key` are its decoded halves (not wire keys).
    """

    idirect_userid: str
    session_token: str = field(repr=False)
    user_id: str = field(default="", metadata={"derived": True})
    session_key: str = field(default="", repr=False, metadata={"derived": True})
    idirect_user_name: str | None = None
    exg_trade_date: Mapping[str, Any] | None = None
    exg_status: Mapping[str, Any] | None = None
    segments_allowed: Mapping[str, Any] | None = None
    idirect_ord_typ: str | None = field(default=None, metadata={"wire": "idirect_ORD_TYP"})
    idirect_lastlogin_time: str | None = None
    mf_holding_mode_popup_flg: str | None = None
    commodity_exchange_status: str | None = None
    commodity_trade_date: str | None = None
    commodity_allowed: str | None = None


CustomerDetails = BreezeCustomerDetails


@dataclass(frozen=True, slots=True)
class BreezeFunds:
    """`GET funds` → `Success` (reference §5.2). Amounts in rupees."""

    total_bank_balance: Decimal
    block_by_trade_balance: Decimal
    bank_account: str | None = None
    allocated_equity: Decimal | None = None
    allocated_fno: Decimal | None = None
    allocated_commodity: Decimal | None = None
    allocated_currency: Decimal | None = None
    block_by_trade_equity: Decimal | None = None
    block_by_trade_fno: Decimal | None = None
    block_by_trade_commodity: Decimal | None = None
    block_by_trade_currency: Decimal | None = None
    unallocated_balance: Decimal | None = None


@dataclass(frozen=True, slots=True)
class BreezeFundsAllocation:
    """`POST funds` → `Success` (reference §5.3), e.g. `{"status": "Success"}`."""

    status: str


@dataclass(frozen=True, slots=True)
class BreezeDematHolding:
    """`GET dematholdings` → one `Success` row (reference §5.4)."""

    stock_code: str
    quantity: int
    stock_isin: str | None = field(default=None, metadata={"wire": "stock_ISIN"})
    demat_total_bulk_quantity: int | None = None
    demat_avail_quantity: int | None = None
    blocked_quantity: int | None = None
    demat_allocated_quantity: int | None = None


@dataclass(frozen=True, slots=True)
class BreezePortfolioHolding:
    """`GET portfolioholdings` → one `Success` row (reference §5.5).

    F&O rows carry a signed `quantity` (a short is negative) and `action`.
    """

    stock_code: str
    exchange_code: str
    quantity: int
    average_price: Decimal | None = None
    booked_profit_loss: Decimal | None = None
    current_market_price: Decimal | None = None
    change_percentage: Decimal | None = None
    answer_flag: str | None = None
    product_type: str | None = None
    expiry_date: str | None = None
    strike_price: Decimal | None = None
    right: str | None = None
    category_index_per_stock: str | None = None
    action: str | None = None
    realized_profit: Decimal | None = None
    unrealized_profit: Decimal | None = None
    open_position_value: Decimal | None = None
    portfolio_charges: Decimal | None = None


@dataclass(frozen=True, slots=True)
class BreezePosition:
    """`GET portfoliopositions` → one `Success` row (reference §5.6).

    Direction is `action` (`Buy`/`Sell`/`NA`); `quantity` is never negative.
    """

    stock_code: str
    exchange_code: str
    action: str
    quantity: int
    segment: str | None = None
    product_type: str | None = None
    expiry_date: str | None = None
    strike_price: Decimal | None = None
    right: str | None = None
    average_price: Decimal | None = None
    settlement_id: str | None = None
    margin_amount: Decimal | None = None
    ltp: Decimal | None = None
    price: Decimal | None = None
    stock_index_indicator: str | None = None
    cover_quantity: int | None = None
    stoploss_trigger: Decimal | None = None
    stoploss: Decimal | None = None
    take_profit: Decimal | None = None
    available_margin: Decimal | None = None
    squareoff_mode: str | None = None
    mtf_sell_quantity: int | None = None
    mtf_net_amount_payable: Decimal | None = None
    mtf_expiry_date: str | None = None
    order_id: str | None = None
    cover_order_flow: str | None = None
    cover_order_executed_quantity: int | None = None
    pledge_status: str | None = None
    pnl: Decimal | None = None
    underlying: str | None = None
    order_segment_code: str | None = None


@dataclass(frozen=True, slots=True)
class BreezeOrderPlacement:
    """`POST order` → `Success` (reference §5.7)."""

    order_id: str
    message: str | None = None
    user_remark: str | None = None


@dataclass(frozen=True, slots=True)
class BreezeOrder:
    """`GET order` (detail and list) → one `Success` row (reference §5.8, §5.9).

    `strike_price` is a JSON number on the wire, most other numerics are strings.
    """

    order_id: str
    exchange_code: str
    stock_code: str
    action: str
    order_type: str
    quantity: int
    status: str
    exchange_order_id: str | None = None
    product_type: str | None = None
    stoploss: Decimal | None = None
    price: Decimal | None = None
    validity: str | None = None
    disclosed_quantity: int | None = None
    expiry_date: str | None = None
    right: str | None = None
    strike_price: Decimal | None = None
    average_price: Decimal | None = None
    cancelled_quantity: int | None = None
    pending_quantity: int | None = None
    user_remark: str | None = None
    order_datetime: str | None = None
    parent_order_id: str | None = None
    modification_number: str | None = None
    exchange_acknowledgement_date: str | None = None
    sltp_price: Decimal | None = field(default=None, metadata={"wire": "SLTP_price"})
    exchange_acknowledge_number: str | None = None
    initial_limit: Decimal | None = None
    initial_sltp: Decimal | None = field(default=None, metadata={"wire": "intial_sltp"})
    ltp: Decimal | None = field(default=None, metadata={"wire": "LTP"})
    limit_offset: Decimal | None = None
    mbc_flag: str | None = None
    cutoff_price: Decimal | None = None
    validity_date: str | None = None


@dataclass(frozen=True, slots=True)
class BreezeOrderModification:
    """`PUT order` → `Success` (reference §5.10)."""

    order_id: str
    message: str | None = None


@dataclass(frozen=True, slots=True)
class BreezeOrderCancellation:
    """`DELETE order` → `Success` (reference §5.11). Do not match on `message`."""

    order_id: str
    message: str | None = None


@dataclass(frozen=True, slots=True)
class BreezeTrade:
    """`GET trades` without `order_id` (trade list) → one `Success` row (reference §5.12).

    One row per order with the average fill price in `average_cost`.
    """

    order_id: str
    exchange_code: str
    stock_code: str
    action: str
    quantity: int
    average_cost: Decimal
    book_type: str | None = None
    trade_date: str | None = None
    brokerage_amount: Decimal | None = None
    product_type: str | None = None
    segment: str | None = None
    settlement_code: str | None = None
    dp_id: str | None = None
    client_id: str | None = None
    ltp: Decimal | None = None
    eatm_withheld_amount: Decimal | None = None
    cash_withheld_amount: Decimal | None = None
    total_taxes: Decimal | None = None
    order_type: str | None = None
    expiry_date: str | None = None
    right: str | None = None
    strike_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class BreezeTradeFill:
    """`GET trades` with `order_id` (trade detail) → one `Success` row per exchange fill
    (reference §5.13). `action` is a single letter here: `B` or `S`.
    """

    executed_quantity: int
    execution_price: Decimal
    action: str | None = None
    stock_code: str | None = None
    exchange_code: str | None = None
    settlement_id: str | None = None
    exchange_trade_id: str | None = None
    total_transaction_cost: Decimal | None = None
    brokerage_amount: Decimal | None = None
    taxes: Decimal | None = None
    eatm_withheld_amount: Decimal | None = None
    cash_withheld_amount: Decimal | None = None
    trade_id: str | None = None
    exchange_trade_time: str | None = None


@dataclass(frozen=True, slots=True)
class BreezeQuote:
    """`GET quotes` → one `Success` row (reference §5.14).

    Cash quotes come as two rows, NSE then BSE; futures say `product_type` `Future` and
    `right` `*`.
    """

    exchange_code: str
    stock_code: str
    ltp: Decimal
    product_type: str | None = None
    expiry_date: str | None = None
    right: str | None = None
    strike_price: Decimal | None = None
    ltt: str | None = None
    best_bid_price: Decimal | None = None
    best_bid_quantity: int | None = None
    best_offer_price: Decimal | None = None
    best_offer_quantity: int | None = None
    open: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    previous_close: Decimal | None = None
    ltp_percent_change: Decimal | None = None
    upper_circuit: Decimal | None = None
    lower_circuit: Decimal | None = None
    total_quantity_traded: int | None = None
    spot_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class BreezeOptionChainQuote(BreezeQuote):
    """`GET optionchain` → one `Success` row per strike (reference §5.15): a quote row
    plus open interest and order-book totals."""

    ltq: int | None = None
    open_interest: Decimal | None = None
    change_oi: Decimal | None = field(default=None, metadata={"wire": "chnge_oi"})
    total_buy_qty: int | None = None
    total_sell_qty: int | None = None


@dataclass(frozen=True, slots=True)
class BreezeCandle:
    """`GET historicalcharts` on the v1 host → one `Success` row (reference §5.16).

    Values are strings on the wire plus an integer `count`; `datetime` is the IST start
    of the candle.
    """

    datetime: dt.datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int | None = None
    open_interest: int | None = None
    count: int | None = None
    stock_code: str | None = None
    exchange_code: str | None = None
    product_type: str | None = None
    expiry_date: str | None = None
    right: str | None = None
    strike_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class BreezeCandleV2:
    """`GET /api/v2/historicalcharts` → one `Success` row (reference §6).

    Values are JSON numbers on the wire, keys sorted alphabetically; no `count`.
    """

    datetime: dt.datetime
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: int | None = None
    open_interest: int | None = None
    stock_code: str | None = None
    exchange_code: str | None = None
    product_type: str | None = None
    expiry_date: str | None = None
    right: str | None = None
    strike_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class BreezeMargin:
    """`GET margin` → `Success` (reference §5.17). `limit_list` shape is undocumented."""

    cash_limit: Decimal | None = None
    amount_allocated: Decimal | None = None
    block_by_trade: Decimal | None = None
    isec_margin: Decimal | None = None
    limit_list: tuple[Mapping[str, Any], ...] = field(default=(), metadata={"nested": True})


@dataclass(frozen=True, slots=True)
class BreezeSquareOff:
    """`POST squareoff` → `Success` (reference §5.19)."""

    order_id: str
    message: str | None = None
    indicator: str | None = None


@dataclass(frozen=True, slots=True)
class BreezeOrderPreview:
    """`GET preview_order` → `Success` (reference §5.20). Charges in rupees."""

    total_brokerage: Decimal
    brokerage: Decimal | None = None
    exchange_turnover_charges: Decimal | None = None
    stamp_duty: Decimal | None = None
    stt: Decimal | None = None
    sebi_charges: Decimal | None = None
    gst: Decimal | None = None
    total_turnover_and_sebi_charges: Decimal | None = None
    total_other_charges: Decimal | None = None


@dataclass(frozen=True, slots=True)
class BreezeMarginLeg:
    """`POST margincalculator` → one element of `Success.margin_calulation` (§5.21)."""

    stock_code: str | None = None
    strike_price: Decimal | None = None
    quantity: int | None = None
    right: str | None = None
    product: str | None = None
    action: str | None = None
    price: Decimal | None = None
    expiry_date: str | None = None


@dataclass(frozen=True, slots=True)
class BreezeMarginCalculation:
    """`POST margincalculator` → `Success` (reference §5.21).

    The wire key of `legs` is `margin_calulation` (sic).
    """

    span_margin_required: Decimal | None = None
    non_span_margin_required: Decimal | None = None
    order_value: Decimal | None = None
    order_margin: Decimal | None = None
    trade_margin: Decimal | None = None
    block_trade_margin: Decimal | None = None
    legs: tuple[BreezeMarginLeg, ...] = field(
        default=(), metadata={"wire": "margin_calulation", "nested": True}
    )


@dataclass(frozen=True, slots=True)
class BreezeGttPlacement:
    """`POST gttorder` → `Success` (reference §5.23)."""

    gtt_order_id: str
    message: str | None = None


@dataclass(frozen=True, slots=True)
class BreezeGttModification:
    """`PUT gttorder` → `Success` (reference §5.23)."""

    gtt_order_id: str
    message: str | None = None


@dataclass(frozen=True, slots=True)
class BreezeGttCancellation:
    """`DELETE gttorder` → `Success` (reference §5.23). ICICI's two samples disagree on
    the id's key (`gtt_order_id` or `order_id`): either is read, neither is required."""

    gtt_order_id: str | None = None
    order_id: str | None = None
    message: str | None = None


@dataclass(frozen=True, slots=True)
class BreezeGttLeg:
    """`GET gttorder` → one element of a row's `order_details` (reference §5.23).
    `gtt_leg_type` is `Target`/`Stoploss`, null on a single-leg GTT; `order_id` is the
    child order a triggered leg placed, where the broker gives it."""

    action: str
    trigger_price: Decimal
    limit_price: Decimal
    gtt_leg_type: str | None = None
    status: str | None = None
    gtt_order_id: str | None = None
    order_id: str | None = None


@dataclass(frozen=True, slots=True)
class BreezeGttOrder:
    """`GET gttorder` → one `Success` row (reference §5.23): one GTT, its legs in
    `order_details` (each carrying the GTT's id). Numbers are JSON numbers;
    `order_datetime` is `DD-MON-YYYY HH:MM:SS`."""

    exchange_code: str
    stock_code: str
    quantity: int
    product_type: str | None = None
    expiry_date: str | None = None
    strike_price: Decimal | None = None
    right: str | None = None
    index_or_stock: str | None = None
    gtt_type: str | None = None
    gtt_order_id: str | None = None
    fresh_order_id: str | None = None
    order_datetime: str | None = None
    legs: tuple[BreezeGttLeg, ...] = field(
        default=(), metadata={"wire": "order_details", "nested": True}
    )


__all__ = [
    "BreezeCandle",
    "BreezeCandleV2",
    "BreezeCustomerDetails",
    "BreezeDematHolding",
    "BreezeFunds",
    "BreezeFundsAllocation",
    "BreezeGttCancellation",
    "BreezeGttLeg",
    "BreezeGttModification",
    "BreezeGttOrder",
    "BreezeGttPlacement",
    "BreezeMargin",
    "BreezeMarginCalculation",
    "BreezeMarginLeg",
    "BreezeOptionChainQuote",
    "BreezeOrder",
    "BreezeOrderCancellation",
    "BreezeOrderModification",
    "BreezeOrderPlacement",
    "BreezeOrderPreview",
    "BreezePortfolioHolding",
    "BreezePosition",
    "BreezeQuote",
    "BreezeSquareOff",
    "BreezeTrade",
    "BreezeTradeFill",
    "CustomerDetails",
]
