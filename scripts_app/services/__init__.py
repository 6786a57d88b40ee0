"""Writes. Keyword-only functions; views, commands and tasks call these."""
