"""Closing a hearing: the minutes, sealing the audit log, the clerk's API and the demo hearing."""
