"""The web interface: server-rendered pages enhanced with htmx.

Views are thin: access, form, one action, render. Must not write rows
itself.
"""
