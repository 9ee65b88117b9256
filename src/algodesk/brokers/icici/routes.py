"""The one table of Breeze routes: every endpoint the client can call, by name.

Each route says where it lives (`api` = the v1 base, `history` = the v2 base), how it is
authenticated (`checksum` = the signed v1 headers, `none` = `customerdetails`, `history`
= the v2 session/apikey headers) and whether repeating it is harmless (`idempotent`).
Only idempotent routes are ever retried, and only when the request was never sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Host = Literal["api", "history"]
Auth = Literal["checksum", "none", "history"]
Method = Literal["GET", "POST", "PUT", "DELETE"]


@dataclass(frozen=True, slots=True)
class Route:
    name: str
    method: Method
    path: str
    host: Host = "api"
    auth: Auth = "checksum"
    idempotent: bool = True


def _routes(*routes: Route) -> dict[str, Route]:
    return {route.name: route for route in routes}


ROUTES: dict[str, Route] = _routes(
    Route("customer_details", "GET", "customerdetails", auth="none"),
    Route("funds.get", "GET", "funds"),
    Route("funds.set", "POST", "funds", idempotent=False),
    Route("demat_holdings", "GET", "dematholdings"),
    Route("portfolio_holdings", "GET", "portfolioholdings"),
    Route("portfolio_positions", "GET", "portfoliopositions"),
    Route("order.place", "POST", "order", idempotent=False),
    Route("order.detail", "GET", "order"),
    Route("order.list", "GET", "order"),
    Route("order.modify", "PUT", "order", idempotent=False),
    Route("order.cancel", "DELETE", "order", idempotent=False),
    Route("trades.list", "GET", "trades"),
    Route("trades.detail", "GET", "trades"),
    Route("quotes", "GET", "quotes"),
    Route("option_chain", "GET", "optionchain"),
    Route("historical.v1", "GET", "historicalcharts"),
    Route("historical.v2", "GET", "historicalcharts", host="history", auth="history"),
    Route("margin.get", "GET", "margin"),
    Route("margin.add", "POST", "margin", idempotent=False),
    Route("squareoff", "POST", "squareoff", idempotent=False),
    Route("preview_order", "GET", "preview_order"),
    # A calculator: POST on the wire, but it changes nothing at the broker.
    Route("margin_calculator", "POST", "margincalculator"),
    Route("limit_calculator", "POST", "fnolmtpriceandqtycal"),
    Route("gtt.place", "POST", "gttorder", idempotent=False),
    Route("gtt.book", "GET", "gttorder"),
    Route("gtt.modify", "PUT", "gttorder", idempotent=False),
    Route("gtt.cancel", "DELETE", "gttorder", idempotent=False),
)

__all__ = ["ROUTES", "Auth", "Host", "Method", "Route"]
