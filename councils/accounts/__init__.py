"""People's accounts: login, sessions, invitations, second factor and API tokens.

Owns who a user is and how they prove it. Logins, sessions and tokens never
enter the record. Must not decide what a user may do in a council (that is
each domain app's policy).
"""
