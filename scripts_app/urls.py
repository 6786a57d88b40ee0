from django.urls import include, path

from .views import bible, comments, episodes, find, projects, scenes, transfer
from .views import title_page as title_page_views

urlpatterns = [
    path("", include("scripts_app.ai.urls")),
    path("", projects.project_list, name="project_list"),
    path("new/", projects.project_create, name="project_create"),
    path("p/<slug:slug>/", projects.project_detail, name="project_detail"),
    path("p/<slug:slug>/settings/", projects.project_settings, name="project_settings"),
    path("p/<slug:slug>/members/", projects.members, name="members"),
    path("p/<slug:slug>/members/add/", projects.member_add, name="member_add"),
    path("p/<slug:slug>/members/<int:membership_id>/", projects.member_role, name="member_role"),
    path("p/<slug:slug>/invites/<int:pk>/withdraw/", projects.invite_withdraw, name="invite_withdraw"),
    path("invites/<int:pk>/answer/", projects.invite_answer, name="invite_answer"),
    path("invites/t/<str:token>/", projects.invite_link, name="invite_link"),
    path("p/<slug:slug>/characters/new/", bible.character_edit, name="character_new"),
    path("p/<slug:slug>/characters/<int:pk>/", bible.character_edit, name="character_edit"),
    path("p/<slug:slug>/characters/<int:pk>/delete/", bible.character_delete, name="character_delete"),
    path("p/<slug:slug>/locations/new/", bible.location_edit, name="location_new"),
    path("p/<slug:slug>/locations/<int:pk>/", bible.location_edit, name="location_edit"),
    path("p/<slug:slug>/locations/<int:pk>/delete/", bible.location_delete, name="location_delete"),
    path("p/<slug:slug>/bible/names/add/", bible.script_name_add, name="script_name_add"),
    path("p/<slug:slug>/bible/names/merge/", bible.script_name_merge, name="script_name_merge"),
    path("p/<slug:slug>/episodes/new/", episodes.episode_create, name="episode_create"),
    path("p/<slug:slug>/e/<int:number>/", episodes.episode_detail, name="episode_detail"),
    path("p/<slug:slug>/e/<int:number>/edit/", episodes.episode_edit, name="episode_edit"),
    path("p/<slug:slug>/e/<int:number>/read/", episodes.episode_read, name="episode_read"),
    path("p/<slug:slug>/e/<int:number>/beats/add/", episodes.beat_add, name="beat_add"),
    path("p/<slug:slug>/e/<int:number>/beats/order/", episodes.beats_reorder, name="beats_reorder"),
    path("p/<slug:slug>/beats/<int:pk>/", episodes.beat_update, name="beat_update"),
    path("p/<slug:slug>/e/<int:number>/comments/", comments.episode_comments, name="episode_comments"),
    path("p/<slug:slug>/e/<int:number>/comments/add/", comments.comment_add, name="comment_add"),
    path("p/<slug:slug>/comments/<int:pk>/reply/", comments.comment_reply, name="comment_reply"),
    path("p/<slug:slug>/comments/<int:pk>/resolve/", comments.comment_resolve, name="comment_resolve"),
    path("p/<slug:slug>/e/<int:number>/scenes/new/", scenes.scene_create, name="scene_create"),
    path("p/<slug:slug>/e/<int:number>/scenes/order/", scenes.scenes_reorder, name="scenes_reorder"),
    path("p/<slug:slug>/scenes/<int:pk>/", scenes.scene_edit, name="scene_edit"),
    path("p/<slug:slug>/scenes/<int:pk>/save/", scenes.scene_save, name="scene_save"),
    path("p/<slug:slug>/scenes/<int:pk>/move/", scenes.scene_move, name="scene_move"),
    path("p/<slug:slug>/scenes/<int:pk>/delete/", scenes.scene_delete, name="scene_delete"),
    path("p/<slug:slug>/scenes/<int:pk>/history/", scenes.scene_history, name="scene_history"),
    path(
        "p/<slug:slug>/scenes/<int:pk>/history/<int:version_id>/", scenes.scene_version, name="scene_version"
    ),
    path(
        "p/<slug:slug>/scenes/<int:pk>/history/<int:version_id>/restore/",
        scenes.scene_restore,
        name="scene_restore",
    ),
    path("p/<slug:slug>/import/", transfer.import_view, name="import"),
    path("p/<slug:slug>/imports/<int:pk>/", transfer.import_job, name="import_job"),
    path("p/<slug:slug>/export/", transfer.export_view, name="export"),
    path("p/<slug:slug>/title-page/", title_page_views.title_page_edit, name="title_page"),
    path("p/<slug:slug>/exports/<int:pk>/", transfer.export_job, name="export_job"),
    path(
        "p/<slug:slug>/exports/<int:pk>/download/", transfer.export_job_download, name="export_job_download"
    ),
    path("p/<slug:slug>/e/<int:number>/lock/", episodes.episode_lock, name="episode_lock"),
    path("p/<slug:slug>/e/<int:number>/delete/", episodes.episode_delete, name="episode_delete"),
    path(
        "p/<slug:slug>/e/<int:number>/revise/", episodes.episode_issue_revision, name="episode_issue_revision"
    ),
    path(
        "p/<slug:slug>/scenes/<int:pk>/restore/", scenes.scene_restore_omitted, name="scene_restore_omitted"
    ),
    path("p/<slug:slug>/find/", find.series_find, name="series_find"),
    path("p/<slug:slug>/find/replace/", find.series_replace, name="series_replace"),
    path("p/<slug:slug>/e/<int:number>/editor-data/", find.editor_data, name="editor_data"),
]
