"""Operating an installation: backups, restores and the record's high-water mark.

Owns `manage.py backup` / `restore`, the parsing of operators' environment
(EMAIL_URL), the database cache table's migration, the health check's record
read and the one record entry a restore may write (`record.restored`).
It never edits other apps' rows: a restore replaces the whole database or
refuses, and appends to the record only through `append_entry`.
"""
