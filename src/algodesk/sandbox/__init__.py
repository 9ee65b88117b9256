"""Analyzer mode: the paper broker, a second adapter of the `Broker` protocol.

- `broker.PaperBroker`: an in-memory account filling marketable orders at the quote it
  is given; written against `brokers.base` and `domain` only.
"""
