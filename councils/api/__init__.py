"""The HTTP API under /api/v1/: django-ninja routers, schemas and problem+json errors.

Endpoints are thin: access, schema, one action, schema. Must not write rows
itself.
"""
