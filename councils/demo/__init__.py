"""The demo federation: the fixed cast and a realistic federation, built only through actions."""
