"""Websocket routes. Live co-editing and model streaming add theirs here."""

websocket_urlpatterns: list = []
