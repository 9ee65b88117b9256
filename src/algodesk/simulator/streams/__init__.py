"""ICICI's socket.io streams, played by the simulator (reference §10).

`frames` builds the arrays and lines ICICI sends, `tokens` maps stream tokens
(`4.1!2885`) to instruments, `hub` runs the socket.io servers and their emitters.
"""
