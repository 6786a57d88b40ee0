"""AI pages and endpoints; included from scripts_app/urls.py with path("", include("scripts_app.ai.urls"))."""

from django.urls import path

from ..views import ai

urlpatterns = [
    path("p/<slug:slug>/ai/", ai.ai_home, name="ai_home"),
    path("p/<slug:slug>/ai/settings/", ai.ai_settings, name="ai_settings"),
    path("p/<slug:slug>/ai/bible/", ai.request_bible, name="ai_request_bible"),
    path("p/<slug:slug>/ai/episodes/", ai.request_episodes, name="ai_request_episodes"),
    path("p/<slug:slug>/ai/alternatives/", ai.request_alternatives, name="ai_request_alternatives"),
    path("p/<slug:slug>/e/<int:number>/ai/", ai.ai_episode, name="ai_episode"),
    path("p/<slug:slug>/e/<int:number>/ai/panel/", ai.editor_panel, name="ai_editor_panel"),
    path("p/<slug:slug>/e/<int:number>/ai/beats/", ai.request_beats, name="ai_request_beats"),
    path("p/<slug:slug>/e/<int:number>/ai/draft/", ai.request_draft, name="ai_request_draft"),
    path("p/<slug:slug>/scenes/<int:pk>/ai/", ai.ai_scene, name="ai_scene"),
    path("p/<slug:slug>/scenes/<int:pk>/ai/rewrite/", ai.request_rewrite, name="ai_request_rewrite"),
    path("p/<slug:slug>/ai/s/<int:pk>/", ai.suggestion_detail, name="ai_suggestion"),
    path("p/<slug:slug>/ai/s/<int:pk>/json/", ai.suggestion_json, name="ai_suggestion_json"),
    path("p/<slug:slug>/ai/s/<int:pk>/accept/", ai.suggestion_accept, name="ai_accept"),
    path("p/<slug:slug>/ai/s/<int:pk>/reject/", ai.suggestion_reject, name="ai_reject"),
    path("p/<slug:slug>/ai/s/<int:pk>/edit/", ai.suggestion_edit, name="ai_edit"),
    path("p/<slug:slug>/ai/s/<int:pk>/cancel/", ai.suggestion_cancel, name="ai_cancel"),
]
