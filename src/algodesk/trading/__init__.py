"""Trading: the order path and the account books, behind the OpenAlgo order API.

- `trading.Trading`: one of each below, built and started with the runtime
- `orders.OrderService`: validate → reconcile gate → prepare → journal → send once
- `journal.OrderJournal`: the intent written before sending, tagged in the order
- `reconcile.Reconciler`: settles pending and in-doubt journal rows from the broker
- `books.Books`: order, trade and position books, holdings, funds (the broker's, labelled)
- `order_updates.OrderUpdates`: every order change from the broker's stream (later the
  analyzer's paper orders), labelled like the order book, for `subscribe_orders`
- `composite.CompositeOrders`: smart, basket, split, cancel-all, close-all
- `squareoff.MisSquareOff`, `margin.MarginCalculator`, `sizing`
- `ports`, `broker_failures`: what the order path needs from the rest of the platform,
  and broker failures as the answers every endpoint gives

Everything here speaks the `brokers.base.Broker` protocol and domain types only (see
docs/architecture.md, "The broker port"): the paper broker runs it as well as ICICI.

The modules are imported by name (nothing is re-exported here) so that a command-line
tool importing one of them does not load the whole order path.
"""
