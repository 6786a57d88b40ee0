"""The live room: the episode as one shared Yjs document, presence and live pages.

The only code that touches Yjs state. Views and services reach it through documents.py
(the one door for text changes) and broadcast.py (telling open pages that something changed).
"""
