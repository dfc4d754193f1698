"""The `councils` command: a thin client of the API plus offline tools.

Offline tools (count, verify) import only `councils.core`, never Django, so
`pip install .` gives an auditor a verifier that does not trust the server.
"""
