"""The Breeze-protocol exchange simulator.

It is the far side of a network boundary: it imports nothing from the platform and
speaks only the Breeze wire protocol over HTTP.
"""
