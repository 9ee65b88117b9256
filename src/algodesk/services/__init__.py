"""Use cases behind the API: order journal, order routing, books, market data."""
