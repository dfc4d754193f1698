"""Live events: published after commit, streamed to browsers.

Owns the publisher that actions call on commit, the in-process and Redis
brokers, and the lean ASGI stream endpoint. Holds no domain state.
"""
