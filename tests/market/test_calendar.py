"""market/holidays and market/timings through the `openalgo` client, from the calendar
shipped with algodesk, and `algodesk calendar import` changing what a running platform
answers."""

from __future__ import annotations

import datetime as dt
import json

from tests.market.conftest import MarketDesk

IST = dt.timezone(dt.timedelta(hours=5, minutes=30))


def ms(day: str, clock: str) -> int:
    hour, minute = map(int, clock.split(":"))
    moment = dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour, minute), IST)
    return int(moment.timestamp() * 1000)


def test_holidays_2026(desk: MarketDesk) -> None:
    reply = desk.client.holidays(year=2026)
    assert reply["status"] == "success" and reply["year"] == 2026
    assert reply["timezone"] == "Asia/Kolkata" and "note" not in reply
    by_date = {h["date"]: h for h in reply["data"]}
    closed_days = [d for d, h in by_date.items() if "NSE" in h["closed_exchanges"]]
    assert len(closed_days) == 15  # NSE's published list: 15 weekday holidays
    assert by_date["2026-01-26"]["closed_exchanges"] == [
        "NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX"]
    assert by_date["2026-01-26"]["open_exchanges"] == []
    gurpurb = by_date["2026-11-24"]
    assert gurpurb["holiday_type"] == "TRADING_HOLIDAY" and "Guru Nanak" in gurpurb["description"]
    assert "MCX" not in gurpurb["closed_exchanges"]
    # MCX trades its evening session; in November it closes at 23:55 (US winter time).
    assert gurpurb["open_exchanges"] == [{"exchange": "MCX",
                                          "start_time": ms("2026-11-24", "17:00"),
                                          "end_time": ms("2026-11-24", "23:55")}]
    assert by_date["2026-06-26"]["description"] == "Muharram"


def test_next_year_is_marked_provisional(desk: MarketDesk) -> None:
    reply = desk.client.holidays(year=2027)
    assert reply["status"] == "success"
    assert "provisional" in reply["note"]
    assert "2027-01-26" in {h["date"] for h in reply["data"]}
    empty = desk.client.holidays(year=2031)
    assert empty["data"] == [] and "calendar import" in empty["note"]


def test_timings(desk: MarketDesk) -> None:
    normal = desk.client.timings(date="2026-12-01")
    assert normal["status"] == "success"
    sessions = {s["exchange"]: (s["start_time"], s["end_time"]) for s in normal["data"]}
    assert list(sessions) == ["NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX"]
    assert sessions["NSE"] == (ms("2026-12-01", "09:15"), ms("2026-12-01", "15:30"))
    assert sessions["CDS"] == (ms("2026-12-01", "09:00"), ms("2026-12-01", "17:00"))
    assert sessions["MCX"] == (ms("2026-12-01", "09:00"), ms("2026-12-01", "23:55"))
    summer = desk.client.timings(date="2026-07-01")["data"]
    assert summer[-1]["end_time"] == ms("2026-07-01", "23:30")
    assert desk.client.timings(date="2026-11-28")["data"] == []  # a Saturday
    assert desk.client.timings(date="2026-01-26")["data"] == []  # everything closed
    holiday = desk.client.timings(date="2026-11-24")["data"]
    assert [s["exchange"] for s in holiday] == ["MCX"]


def test_bad_dates_and_years(desk: MarketDesk) -> None:
    bad = desk.client.timings(date="24-11-2026")
    assert bad["code"] == 400 and bad["message"].endswith(
        '"Invalid date format. Use YYYY-MM-DD","broker":"icici"}')
    early = desk.post("market/timings", {"date": "2019-12-31"})
    assert early.status_code == 400
    year = desk.post("market/holidays", {"year": 2051})
    assert year.status_code == 400 and "year" in year.json()["message"]


def test_an_imported_calendar_reaches_the_running_platform(desk: MarketDesk) -> None:
    newer = {"years": {"2027": {"status": "published", "sources": ["test"], "holidays": [
        {"date": "2027-03-22", "description": "Holi", "closed": [
            "NSE", "BSE", "NFO", "BFO", "CDS", "BCD"], "sessions": {"MCX": ["17:00", None]}}]}}}
    source = desk.platform.workdir / "holidays-2027.json"
    source.write_text(json.dumps(newer))
    done = desk.platform.cli("calendar", "import", str(source))
    assert done.returncode == 0, done.stdout + done.stderr
    reply = desk.client.holidays(year=2027)
    assert [h["description"] for h in reply["data"]] == ["Holi"] and "note" not in reply
    shown = desk.platform.cli("calendar", "show", "--year", "2027")
    assert "Holi" in shown.stdout and "published" in shown.stdout
    bad = desk.platform.workdir / "broken.json"
    bad.write_text('{"years": {"2027": {"holidays": [{"date": "2027-02-30"}]}}}')
    refused = desk.platform.cli("calendar", "import", str(bad))
    assert refused.returncode == 1 and "YYYY-MM-DD" in refused.stdout
    assert desk.client.holidays(year=2027)["data"][0]["description"] == "Holi"
