"""Websocket routes: the episode's shared document and the series' live pages."""

from django.urls import path

from .collab import doc_consumer, live_consumer

websocket_urlpatterns: list = [
    path("ws/p/<slug:slug>/e/<int:number>/doc/", doc_consumer.EpisodeDocConsumer.as_asgi()),
    path("ws/p/<slug:slug>/live/", live_consumer.LiveConsumer.as_asgi()),
]
