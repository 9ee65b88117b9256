"""Trading: the order path and the account books, behind the OpenAlgo order API.

- `trading.Trading`: one of each below, built and started with the runtime
- `orders.OrderService`: validate → reconcile gate → journal → pace → send once
- `journal.OrderJournal`: the intent written before sending, tagged in the order
- `reconcile.Reconciler`: settles pending and in-doubt journal rows from the broker
- `books.Books`: order, trade and position books, holdings, funds (cached reads)
- `composite.CompositeOrders`: smart, basket, split, cancel-all, close-all
- `squareoff.MisSquareOff`, `margin.MarginCalculator`, `sizing`
- `ports`, `broker_failures`: what the order path needs from the rest of the platform,
  and broker failures as the answers every endpoint gives

Order actions and margin go through the `brokers.base.Broker` protocol; the books and
the reconciler still read Breeze's order lists (see docs/architecture.md, "The broker
port").

The modules are imported by name (nothing is re-exported here) so that a command-line
tool importing one of them does not load the whole order path.
"""
