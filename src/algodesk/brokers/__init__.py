"""Broker adapters: one sub-package per broker (`icici` speaks ICICI Direct's Breeze API)."""
