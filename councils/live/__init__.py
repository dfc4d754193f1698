"""Live events: published after commit, streamed to browsers.

Owns the publisher that actions call on commit, the in-process and Redis
brokers, the lean ASGI stream endpoint, the registry of the guards that
domain apps give each channel prefix, and what a channel's viewers read alike,
kept until its next event. Holds no domain state or access rules.
"""
