"""algodesk: a self-hosted algorithmic trading platform for ICICI Direct (Breeze API)."""

__version__ = "0.1.0"
