"""Market data and options, behind the OpenAlgo market API.

- `desk.MarketDesk`: one of each below, reading through the `Broker` the order side uses
- `market_data.MarketData`: quotes, multiquotes, depth
- `history.HistoryService`: candles fetched once into the local `candle_store`,
  resampled by `candles` to the `intervals` a client asks for
- `options.OptionsService`: option symbols, chains, Greeks (`greeks`), option orders
- `calendar.MarketCalendar`: exchange holidays and sessions
- `cli`: `algodesk history backfill`, `algodesk calendar show | import`

The modules are imported by name (nothing is re-exported here) so that a command-line
tool importing one of them does not load the whole desk.
"""
