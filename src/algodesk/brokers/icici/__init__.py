"""ICICI Direct's Breeze API: signed HTTP client, wire schemas, parsing and login.

    async with BreezeClient(key, secret, api_url=..., history_url=...) as breeze:
        await breeze.customer_details(api_session)
        funds = await breeze.get_funds()
"""

from .client import BreezeClient
from .errors import (
    AuthenticationFailed,
    BreezeError,
    BrokerOutage,
    BrokerRejected,
    InvalidAppKey,
    MalformedResponse,
    RateLimited,
    ResponseTimeout,
    SessionExpired,
    TransportError,
)
from .login import api_session_from, exchange_api_session, login_url
from .routes import ROUTES, Route
from .schemas import CustomerDetails

__all__ = [
    "ROUTES",
    "AuthenticationFailed",
    "BreezeClient",
    "BreezeError",
    "BrokerOutage",
    "BrokerRejected",
    "CustomerDetails",
    "InvalidAppKey",
    "MalformedResponse",
    "RateLimited",
    "ResponseTimeout",
    "Route",
    "SessionExpired",
    "TransportError",
    "api_session_from",
    "exchange_api_session",
    "login_url",
]
