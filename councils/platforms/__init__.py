"""Platforms: organised currents of opinion inside a federation.

Owns platforms, who belongs to them, the documents they publish to the bodies
concerned and the candidate slates they run. Who belongs to a platform is
visible only to its members and to credentials officers, and never enters the record.
"""
