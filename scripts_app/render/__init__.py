"""Renderers that draw a paginated script (scripts_app.layout) into files."""

from .pdf import FontsMissing, RenderOptions, render_pdf

__all__ = ["FontsMissing", "RenderOptions", "render_pdf"]
