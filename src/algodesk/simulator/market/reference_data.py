"""Hand-written facts about the instruments a trader will look for by name.

ICICI short codes RELIND, STABAN, TATSTE, INFTEC, HDFBAN, ICIBAN, ITC, TCS, NIFTY,
CNXBAN, NIFFIN, NIFSEL, INDVIX, BSESEN and BANKEX are documented (reference section 8);
the other short codes follow ICICI's naming habit (first letters of the words) and are
our invention. NSE tokens, BSE scrip codes and lot sizes are the exchanges' values as
publicly known when this was written; base prices are round figures near recent levels.
Where an ISIN is not given a valid-looking synthetic one is generated.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Listed:
    """A real company listed on NSE and BSE, with F&O on NSE."""

    code: str  # ICICI short name
    symbol: str  # NSE trading symbol (also the BSE scrip id)
    name: str
    nse_token: str
    bse_token: str
    isin: str
    base: float  # rupees
    lot: int  # NSE F&O lot
    daily_vol: float  # standard deviation of a day's log return


STOCKS: tuple[Listed, ...] = (
    Listed("RELIND", "RELIANCE", "RELIANCE INDUSTRIES", "2885", "500325", "INE002A01018",
           1400, 500, 0.013),
    Listed("STABAN", "SBIN", "STATE BANK OF INDIA", "3045", "500112", "INE062A01020",
           800, 750, 0.014),
    Listed("TATSTE", "TATASTEEL", "TATA STEEL", "3499", "500470", "INE081A01020",
           160, 5500, 0.019),
    Listed("INFTEC", "INFY", "INFOSYS", "1594", "500209", "INE009A01021", 1500, 400, 0.015),
    Listed("HDFBAN", "HDFCBANK", "HDFC BANK", "1333", "500180", "INE040A01034",
           950, 550, 0.012),
    Listed("ICIBAN", "ICICIBANK", "ICICI BANK", "4963", "532174", "INE090A01021",
           1400, 700, 0.013),
    Listed("ITC", "ITC", "ITC", "1660", "500875", "INE154A01025", 410, 1600, 0.011),
    Listed("TCS", "TCS", "TATA CONSULTANCY SERVICES", "11536", "532540", "INE467B01029",
           3100, 175, 0.013),
    Listed("AXIBAN", "AXISBANK", "AXIS BANK", "5900", "532215", "", 1150, 625, 0.015),
    Listed("KOTMAH", "KOTAKBANK", "KOTAK MAHINDRA BANK", "1922", "500247", "",
           2100, 400, 0.014),
    Listed("LARTOU", "LT", "LARSEN & TOUBRO", "11483", "500510", "", 3800, 175, 0.014),
    Listed("BHAAIR", "BHARTIARTL", "BHARTI AIRTEL", "10604", "532454", "", 2000, 475, 0.013),
    Listed("MARUTI", "MARUTI", "MARUTI SUZUKI INDIA", "10999", "532500", "",
           16000, 50, 0.014),
    Listed("HINLEV", "HINDUNILVR", "HINDUSTAN UNILEVER", "1394", "500696", "",
           2450, 300, 0.011),
    Listed("BAJFI", "BAJFINANCE", "BAJAJ FINANCE", "317", "500034", "", 1000, 750, 0.018),
    Listed("ASIPAI", "ASIANPAINT", "ASIAN PAINTS", "236", "500820", "", 2400, 250, 0.013),
    Listed("WIPRO", "WIPRO", "WIPRO", "3787", "507685", "", 250, 3000, 0.015),
    Listed("SUNPHA", "SUNPHARMA", "SUN PHARMACEUTICAL INDUSTRIES", "3351", "524715", "",
           1700, 350, 0.013),
    Listed("TITIND", "TITAN", "TITAN COMPANY", "3506", "500114", "", 3600, 175, 0.014),
    Listed("ULTCEM", "ULTRACEMCO", "ULTRATECH CEMENT", "11532", "532538", "",
           12000, 50, 0.013),
    Listed("NTPC", "NTPC", "NTPC", "11630", "532555", "", 340, 1500, 0.014),
    Listed("POWGRI", "POWERGRID", "POWER GRID CORPORATION OF INDIA", "14977", "532898", "",
           290, 1900, 0.013),
    Listed("ONGC", "ONGC", "OIL AND NATURAL GAS CORPORATION", "2475", "500312", "",
           245, 2250, 0.016),
    # Low prices give fractional strikes: SAIL steps by 2.5 (127.5), YES BANK by 0.5 (21.5).
    Listed("STEAUT", "SAIL", "STEEL AUTHORITY OF INDIA", "2963", "500113", "",
           128, 4700, 0.020),
    Listed("YESBAN", "YESBANK", "YES BANK", "11915", "532648", "", 21, 31100, 0.020),
    Listed("MAHMAH", "M&M", "MAHINDRA & MAHINDRA", "2031", "500520", "", 3400, 200, 0.015),
)

# The F&O stocks a "small" market keeps: the best-known names plus both fractional-strike
# underlyings.
SMALL_FNO = ("RELIND", "STABAN", "TATSTE", "INFTEC", "HDFBAN", "YESBAN")


@dataclass(frozen=True, slots=True)
class IndexSpec:
    code: str
    symbol: str  # Token and ExchangeCode of the index row (NSE: the index name)
    name: str  # CompanyName
    exchange: str  # NSE or BSE
    base: float
    daily_vol: float
    iv: float
    lot: int  # 0 = no derivatives
    strike_step: Decimal
    asset_token: str  # the exchange's numeric index token (F&O AssetToken column)
    weekly: bool = False  # weekly options besides the monthlies
    wide_chain: bool = True  # the full market lists its widest strike ladder


INDICES: tuple[IndexSpec, ...] = (
    IndexSpec("NIFTY", "NIFTY 50", "NIFTY 50", "NSE", 24_000, 0.008, 0.13, 65,
              Decimal(50), "26000", weekly=True),
    IndexSpec("CNXBAN", "NIFTY BANK", "NIFTY BANK", "NSE", 52_000, 0.009, 0.15, 30,
              Decimal(100), "26009"),
    IndexSpec("NIFFIN", "NIFTY FIN SERVICE", "NIFTY FINANCIAL SERVICES", "NSE", 25_500,
              0.009, 0.14, 65, Decimal(50), "26037"),
    IndexSpec("NIFSEL", "NIFTY MIDCAP SELECT", "NIFTY MIDCAP SELECT", "NSE", 12_800, 0.010,
              0.16, 120, Decimal(25), "26074", wide_chain=False),
    IndexSpec("INDVIX", "INDIA VIX", "INDIA VIX", "NSE", 13.5, 0.040, 0.0, 0, Decimal(0),
              "26017"),
    IndexSpec("BSESEN", "SENSEX", "SENSEX", "BSE", 80_000, 0.008, 0.13, 20, Decimal(100), "1",
              weekly=True),
    IndexSpec("BANKEX", "BANKEX", "BANKEX", "BSE", 60_000, 0.009, 0.15, 30, Decimal(100), "12"),
)


@dataclass(frozen=True, slots=True)
class ContractSpec:
    """A currency pair (NDX) or commodity (MCX): derivatives only, priced off a hidden spot."""

    code: str
    name: str
    exchange: str  # NDX or MCX
    base: float
    daily_vol: float
    iv: float
    lot: int
    tick: Decimal  # futures tick, rupees
    option_tick: Decimal
    strike_step: Decimal
    units: str  # MCX QuantityUnit
    options: bool


CONTRACTS: tuple[ContractSpec, ...] = (
    ContractSpec("USDINR", "US DOLLAR - INDIAN RUPEE", "NDX", 88.5, 0.003, 0.05, 1000,
                 Decimal("0.0025"), Decimal("0.0025"), Decimal("0.25"), "USD", True),
    ContractSpec("EURINR", "EURO - INDIAN RUPEE", "NDX", 103.0, 0.0045, 0.07, 1000,
                 Decimal("0.0025"), Decimal("0.0025"), Decimal("0.25"), "EUR", True),
    ContractSpec("GBPINR", "POUND STERLING - INDIAN RUPEE", "NDX", 118.0, 0.005, 0.07, 1000,
                 Decimal("0.0025"), Decimal("0.0025"), Decimal("0.25"), "GBP", False),
    ContractSpec("JPYINR", "JAPANESE YEN - INDIAN RUPEE", "NDX", 58.5, 0.006, 0.09, 100000,
                 Decimal("0.0025"), Decimal("0.0025"), Decimal("0.25"), "JPY", False),
    ContractSpec("CRUDEOIL", "CRUDE OIL", "MCX", 5_500, 0.020, 0.35, 100, Decimal(1),
                 Decimal("0.1"), Decimal(50), "BBL", True),
    ContractSpec("GOLD", "GOLD", "MCX", 120_000, 0.010, 0.16, 1, Decimal(1), Decimal("0.5"),
                 Decimal(500), "KGS", True),
    ContractSpec("SILVER", "SILVER", "MCX", 145_000, 0.018, 0.28, 30, Decimal(1),
                 Decimal("0.5"), Decimal(1000), "KGS", True),
)
