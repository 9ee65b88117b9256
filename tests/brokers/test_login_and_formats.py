"""Login URL encoding, redirect parsing and the request/response date formats."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from algodesk.brokers.icici import api_session_from, login_url
from algodesk.brokers.icici.formats import (
    IST,
    format_request_datetime,
    parse_response_date,
    parse_response_datetime,
    wire_value,
)

LOGIN = "https://api.icicidirect.com/apiuser/login"


def test_login_url_encodes_every_special_character_of_an_app_key() -> None:
    key = "a+b=c!d^e#f$g~h(i)j 1/2&k"
    url = login_url(LOGIN, key)
    assert url.startswith(LOGIN + "?api_key=")
    encoded = url.split("api_key=", 1)[1]
    # "~" is unreserved in URLs (RFC 3986) and travels as is; everything else is escaped.
    assert encoded == "a%2Bb%3Dc%21d%5Ee%23f%24g~h%28i%29j%201%2F2%26k"
    assert parse_qs(urlsplit(url).query)["api_key"] == [key]


def test_login_url_plain_key() -> None:
    assert login_url(LOGIN, "abc123") == LOGIN + "?api_key=abc123"
    assert login_url("http://127.0.0.1:5001/apiuser/login", "k") == (
        "http://127.0.0.1:5001/apiuser/login?api_key=k"
    )


def test_api_session_is_read_from_form_or_query() -> None:
    assert api_session_from(form={"API_Session": "12345678"}) == "12345678"
    assert api_session_from(query={"apisession": " 9876543 "}) == "9876543"
    assert api_session_from(query={"API_Session": "555"}) == "555"
    assert api_session_from(query={"apisession": ""}, form={}) is None
    assert api_session_from() is None


def test_request_datetimes_carry_ist_wall_clock_digits() -> None:
    utc = dt.datetime(2025, 2, 3, 3, 51, tzinfo=dt.UTC)  # 09:21 IST
    assert format_request_datetime(utc) == "2025-02-03T09:21:00.000Z"
    assert format_request_datetime(dt.datetime(2025, 2, 3, 9, 21)) == "2025-02-03T09:21:00.000Z"
    aware_ist = dt.datetime(2025, 2, 3, 14, 29, 59, 500000, tzinfo=IST)
    assert format_request_datetime(aware_ist) == "2025-02-03T14:29:59.000Z"


def test_bare_dates_take_the_anchor_time() -> None:
    day = dt.date(2025, 2, 5)
    assert format_request_datetime(day) == "2025-02-05T00:00:00.000Z"
    assert format_request_datetime(day, anchor="end") == "2025-02-05T23:59:59.000Z"
    assert format_request_datetime(day, anchor="expiry") == "2025-02-05T06:00:00.000Z"
    assert format_request_datetime("27-Feb-2025") == "27-Feb-2025"


def test_wire_values_are_strings() -> None:
    assert wire_value(None) == ""
    assert wire_value(75) == "75"
    assert wire_value(Decimal("23700.50")) == "23700.50"
    assert wire_value(Decimal("1E+3")) == "1000"
    assert wire_value(0.1) == "0.1"
    assert wire_value("limit") == "limit"
    with pytest.raises(TypeError):
        wire_value(True)


def test_response_dates_in_every_documented_format() -> None:
    assert parse_response_date("27-Feb-2025") == dt.date(2025, 2, 27)
    assert parse_response_date("06-FEB-2025") == dt.date(2025, 2, 6)
    assert parse_response_date("27-FEB-25") == dt.date(2025, 2, 27)
    assert parse_response_datetime("05-Feb-2025 09:26") == dt.datetime(
        2025, 2, 5, 9, 26, tzinfo=IST
    )
    assert parse_response_datetime("16-Aug-2024 13:07:26").second == 26
    assert parse_response_datetime("05-FEB-2025 11:14:38").hour == 11
    assert parse_response_datetime("2025-02-03 09:21:00") == dt.datetime(
        2025, 2, 3, 9, 21, tzinfo=IST
    )
    with pytest.raises(ValueError):
        parse_response_date("2025/02/27")
