"""Breeze enumerations as sent on the wire (reference §7.1) and as answered (§7.2)."""

from __future__ import annotations

from typing import Final

# Request values (lower-case enumerations, upper-case exchange codes).
EXCHANGE_NSE: Final = "NSE"
EXCHANGE_BSE: Final = "BSE"
EXCHANGE_NFO: Final = "NFO"
EXCHANGE_BFO: Final = "BFO"
EXCHANGE_NDX: Final = "NDX"
EXCHANGE_MCX: Final = "MCX"

PRODUCT_CASH: Final = "cash"
PRODUCT_MARGIN: Final = "margin"
PRODUCT_FUTURES: Final = "futures"
PRODUCT_OPTIONS: Final = "options"
PRODUCT_BTST: Final = "btst"
PRODUCT_MTF: Final = "mtf"

ACTION_BUY: Final = "buy"
ACTION_SELL: Final = "sell"

ORDER_TYPE_LIMIT: Final = "limit"
ORDER_TYPE_STOPLOSS: Final = "stoploss"
ORDER_TYPE_MARKET: Final = "market"  # never sent: converted to an aggressive limit (§12.3)

VALIDITY_DAY: Final = "day"
VALIDITY_IOC: Final = "ioc"
VALIDITY_VTC: Final = "vtc"

RIGHT_CALL: Final = "call"
RIGHT_PUT: Final = "put"
RIGHT_OTHERS: Final = "others"

FUNDS_CREDIT: Final = "credit"
FUNDS_DEBIT: Final = "debit"

SEGMENT_EQUITY: Final = "Equity"
SEGMENT_FNO: Final = "FNO"
SEGMENT_COMMODITY: Final = "Commodity"

# Historical v1 takes "minute"/"day" on the wire; the SDK spellings are rewritten.
INTERVALS_V1: Final = ("minute", "5minute", "30minute", "day")
INTERVAL_V1_ALIASES: Final = {"1minute": "minute", "1day": "day"}
INTERVALS_V2: Final = ("1second", "1minute", "5minute", "30minute", "1day")

# Response values.
ROW_ACTION_BUY: Final = "Buy"
ROW_ACTION_SELL: Final = "Sell"
ROW_ACTION_NONE: Final = "NA"

ORDER_STATUS_REQUESTED: Final = "Requested"
ORDER_STATUS_QUEUED: Final = "Queued"
ORDER_STATUS_ORDERED: Final = "Ordered"
ORDER_STATUS_PARTIALLY_EXECUTED: Final = "Partially Executed"
ORDER_STATUS_EXECUTED: Final = "Executed"
ORDER_STATUS_CANCELLED: Final = "Cancelled"
ORDER_STATUS_REJECTED: Final = "Rejected"
ORDER_STATUS_EXPIRED: Final = "Expired"
ORDER_STATUS_PARTIALLY_EXPIRED: Final = "Partially Executed And Expired"
ORDER_STATUS_PARTIALLY_CANCELLED: Final = "Partially Executed And Cancelled"
ORDER_STATUS_FREEZED: Final = "Freezed"

#: Statuses in which the order can still be modified or cancelled (SDK modify check).
OPEN_ORDER_STATUSES: Final = frozenset(
    {ORDER_STATUS_REQUESTED, ORDER_STATUS_QUEUED, ORDER_STATUS_ORDERED,
     ORDER_STATUS_PARTIALLY_EXECUTED}
)

# Broker error texts (reference §4.2) the client recognises.
ERROR_CHECKSUM: Final = "Authentication Fail :: Invalid Checksum."
ERROR_RATE_MINUTE: Final = "Limit exceed: API call per minute"
ERROR_RATE_DAY: Final = "Limit exceed: API call per day"
ERROR_RESOURCE_NOT_AVAILABLE: Final = "Resource not available."
ERROR_INVALID_SESSION: Final = "Invalid session."
ERROR_PUBLIC_KEY: Final = "Public Key does not exist."
#: Breeze's words for a back-end outage (§4.2): the request was not processed.
OUTAGE_ERRORS: Final = ("Error while calling service", "Currently, We are not able to process")
#: `Success: null` answers that mean "nothing to list" rather than a failure.
EMPTY_RESULT_ERRORS: Final = frozenset({"No Positions available.", "No Data Found"})
