def membership(request) -> dict:
    """The signed-in user's membership of the series the page is about (set by project_view)."""
    return {"membership": getattr(request, "membership", None)}
