"""Script formats: text <-> the shared element list. Pure Python, no Django."""
