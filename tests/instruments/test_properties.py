"""Properties over every instrument of the simulator's full master (150,000+ rows).

Each property is checked exhaustively over all instruments, and hypothesis adds the
Breeze spellings a row or request may use for the same contract.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from algodesk.domain import parse_symbol
from algodesk.instruments import Instrument, SymbolIndex, breeze_key


def test_the_master_is_full_size(full_index: SymbolIndex) -> None:
    assert len(full_index) >= 150_000
    counts = full_index.counts()
    assert set(counts) == {"NSE", "BSE", "NFO", "BFO", "CDS", "MCX", "NSE_INDEX", "BSE_INDEX"}


def test_symbol_exchange_pairs_are_unique(full_index: SymbolIndex) -> None:
    pairs = {(i.symbol, i.exchange) for i in full_index}
    assert len(pairs) == len(full_index)
    assert len({i.breeze_key for i in full_index}) == len(full_index)
    assert len({(i.breeze_exchange, i.token) for i in full_index}) == len(full_index)


def test_openalgo_breeze_openalgo_for_every_instrument(full_index: SymbolIndex) -> None:
    for inst in full_index:
        found = full_index.get(inst.symbol, inst.exchange)
        assert found is inst
        back = full_index.by_breeze_key(found.breeze_key)
        assert back is not None and (back.symbol, back.exchange) == (inst.symbol, inst.exchange)


def test_breeze_openalgo_breeze_for_every_instrument(full_index: SymbolIndex) -> None:
    for inst in full_index:
        key = inst.breeze_key
        found = full_index.by_breeze(key.stock_code, key.exchange_code, key.product,
                                     key.expiry, key.strike, key.right)
        assert found is not None, key
        assert full_index.get(found.symbol, found.exchange).breeze_key == key


def test_stream_tokens_round_trip_for_every_instrument(full_index: SymbolIndex) -> None:
    for inst in full_index:
        assert full_index.by_stream_token(inst.stream_token, derivative=inst.is_derivative) is inst
        assert full_index.by_stream_token(inst.depth_token, derivative=inst.is_derivative) is inst
        # without the hint too: no NSE cash token is also an NFO token in this master
        assert full_index.by_stream_token(inst.stream_token) is inst


def test_symbols_follow_the_grammar(full_index: SymbolIndex) -> None:
    for inst in full_index:
        parsed = parse_symbol(inst.symbol)
        if inst.is_derivative:
            assert (parsed.base, parsed.expiry) == (inst.name, inst.expiry), inst.symbol
            assert parsed.kind == inst.instrument_type.value
            if inst.is_option:
                assert parsed.strike == inst.strike
        assert " " not in inst.symbol


_LISTS: dict[int, list[Instrument]] = {}


def _all(index: SymbolIndex) -> list[Instrument]:
    """The index as a list, made once (hypothesis calls the test hundreds of times)."""
    if id(index) not in _LISTS:
        _LISTS[id(index)] = list(index)
    return _LISTS[id(index)]


def _spellings(inst: Instrument) -> st.SearchStrategy[tuple[object, ...]]:
    """Ways a Breeze row or request may write this instrument's key."""
    key = inst.breeze_key
    expiry = st.just(key.expiry)
    if key.expiry is not None:
        expiry = st.sampled_from([key.expiry, inst.breeze_expiry, inst.breeze_expiry.upper(),
                                  f"{key.expiry.isoformat()}T06:00:00.000Z"])
    strike: st.SearchStrategy[object] = st.just(key.strike)
    if inst.is_option:
        strike = st.sampled_from([key.strike, f"{key.strike:.2f}", str(key.strike),
                                  Decimal(f"{key.strike:.3f}")])
    right = st.just(key.right)
    if key.right in ("call", "put"):
        right = st.sampled_from([key.right, key.right.title(), inst.instrument_type.value])
    product = st.sampled_from([key.product, key.product.title()])
    code = st.sampled_from([key.stock_code, key.stock_code.lower()])
    return st.tuples(code, st.just(key.exchange_code), product, expiry, strike, right)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_breeze_spellings_find_the_same_instrument(full_index: SymbolIndex,
                                                   data: st.DataObject) -> None:
    instruments = _all(full_index)
    inst = instruments[data.draw(st.integers(0, len(instruments) - 1), label="instrument")]
    spelled = data.draw(_spellings(inst))
    found = full_index.by_breeze(*spelled)  # type: ignore[arg-type]
    assert found is inst
    assert breeze_key(*spelled) == inst.breeze_key  # type: ignore[arg-type]
