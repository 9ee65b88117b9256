"""Signing vectors of reference §3.2, body serialisation and the session token."""

from __future__ import annotations

import datetime as dt

import pytest

from algodesk.brokers.icici.signing import (
    checksum,
    decode_session_token,
    encode_session_token,
    format_timestamp,
    history_headers,
    serialize_body,
    signed_headers,
)

TS = "2025-02-05T04:00:00.000Z"
SECRET = "my_secret_key"


def test_checksum_of_empty_body_vector() -> None:
    assert checksum(TS, "{}", SECRET) == (
        "token a92406e586b69e912335e55068c0c2ed1c1501668218c5e6bd473e1a83782fde"
    )


def test_checksum_of_order_detail_body_vector() -> None:
    body = serialize_body({"exchange_code": "NSE", "order_id": "20250205N300001234"})
    assert body == '{"exchange_code":"NSE","order_id":"20250205N300001234"}'
    assert checksum(TS, body, SECRET) == (
        "token f81639002124e455fce27416e9f97e27cedb4323b5022c238b0887c0388b62e8"
    )


def test_session_token_vector_round_trips() -> None:
    assert encode_session_token("AB123456", "12345678") == "QUIxMjM0NTY6MTIzNDU2Nzg="
    assert decode_session_token("QUIxMjM0NTY6MTIzNDU2Nzg=") == ("AB123456", "12345678")


def test_customerdetails_sample_token_decodes() -> None:
    assert decode_session_token("WFk2MDQ3MjE6OTczNDcyMzM=") == ("XY604721", "97347233")


@pytest.mark.parametrize("bad", ["not base64!!", "", "YWJj", "OmFiYw==", "YWJjOg=="])
def test_bad_session_token_is_refused_without_echoing_it(bad: str) -> None:
    with pytest.raises(ValueError) as info:
        decode_session_token(bad)
    if bad:
        assert bad not in str(info.value)


def test_empty_request_is_two_braces_never_empty_string() -> None:
    assert serialize_body(None) == "{}"
    assert serialize_body({}) == "{}"


def test_body_is_compact_and_keeps_insertion_order() -> None:
    body = serialize_body({"z": "1", "a": "2", "m": [{"k": "v"}]})
    assert body == '{"z":"1","a":"2","m":[{"k":"v"}]}'


def test_timestamp_is_utc_seconds_with_literal_millis() -> None:
    ist = dt.timezone(dt.timedelta(hours=5, minutes=30))
    moment = dt.datetime(2025, 2, 5, 9, 30, 0, 987654, tzinfo=ist)
    assert format_timestamp(moment) == TS
    with pytest.raises(ValueError):
        format_timestamp(dt.datetime(2025, 2, 5, 4, 0))


def test_signed_headers_carry_everything_the_gateway_checks() -> None:
    headers = signed_headers(
        timestamp=TS, body="{}", app_key="KEY", secret_key=SECRET, session_token="TOK"
    )
    assert headers == {
        "Content-Type": "application/json",
        "X-Checksum": "token a92406e586b69e912335e55068c0c2ed1c1501668218c5e6bd473e1a83782fde",
        "X-Timestamp": TS,
        "X-AppKey": "KEY",
        "X-SessionToken": "TOK",
    }
    assert SECRET not in "".join(headers.values())


def test_history_headers_have_no_checksum() -> None:
    headers = history_headers(app_key="KEY", session_token="TOK")
    assert headers["X-SessionToken"] == "TOK"
    assert headers["apikey"] == "KEY"
    assert "X-Checksum" not in headers and "X-Timestamp" not in headers
