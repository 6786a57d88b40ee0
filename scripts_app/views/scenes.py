"""Writing a scene: the editor, autosave, history, ordering."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import read_view, selectors
from ..collab import documents, linediff
from ..models import Episode, Role, Scene, SceneVersion
from ..permissions import project_view
from ..services import ordering
from ..services import scenes as scene_services
from .params import bad_request, parse_id, parse_ids


def _scene(project, pk: int) -> Scene:
    return get_object_or_404(
        Scene.objects.select_related("episode", "location"), pk=pk, episode__project=project
    )


@project_view(Role.WRITER)
@require_POST
def scene_create(request, project, number: int):
    episode = get_object_or_404(Episode, project=project, number=number)
    scene = scene_services.create_scene(episode=episode, user=request.user)
    return redirect("scene_edit", slug=project.slug, pk=scene.pk)


@project_view()
def scene_edit(request, project, pk: int):
    """One scene alone: a focus view of the episode's shared script (the same live document)."""
    from .episodes import live_editor_context

    scene = _scene(project, pk)
    documents.ensure_rows_current(episode=scene.episode)
    scene.refresh_from_db()
    # Omitted scenes are not stepped through; one opened directly still shows, marked as omitted.
    live = list(scene.episode.scenes.filter(omitted=False).values_list("pk", flat=True))
    siblings = live if scene.pk in live else list(scene.episode.scenes.values_list("pk", flat=True))
    i = siblings.index(scene.pk)
    production_number = ""
    if scene.episode.locked_at:
        # After the lock the printed number is fixed, whatever the writer types in the heading.
        scenes = list(scene.episode.scenes.all())
        production_number = selectors.shooting_numbers(episode=scene.episode, scenes=scenes)[scene.pk]
    context = {
        "production_number": production_number,
        "project": project,
        "scene": scene,
        "episode": scene.episode,
        "scene_html": read_view.scene_html(text=scene.text, fmt=project.script_format),
        "may_write": request.membership.may(Role.WRITER),
        "prev_scene": siblings[i - 1] if i > 0 else None,
        "next_scene": siblings[i + 1] if i + 1 < len(siblings) else None,
        "scene_index": i + 1,
    }
    if not scene.omitted:
        context.update(live_editor_context(request, project, scene.episode, focus_index=live.index(scene.pk)))
    return render(request, "scripts_app/scene_edit.html", context)


@project_view(Role.WRITER)
@require_POST
def scene_save(request, project, pk: int):
    """Autosave. Answers JSON so the editor can show saved / conflict without leaving the page."""
    scene = _scene(project, pk)
    text = request.POST.get("text", "").replace("\r\n", "\n")
    base = parse_id(request.POST.get("revision", ""))
    if base is None:
        # Without the revision it started from, a save can't tell whether it overwrites someone's words.
        error = _("The save must say which revision of the scene it started from.")
        return JsonResponse({"ok": False, "error": error}, status=400)
    try:
        scene = scene_services.save_scene_text(scene=scene, user=request.user, text=text, base_revision=base)
    except scene_services.SceneConflict as exc:
        return JsonResponse(
            {"ok": False, "error": str(exc), "revision": exc.scene.revision, "text": exc.scene.text},
            status=409,
        )
    except scene_services.SceneTooLong as exc:
        return JsonResponse({"ok": False, "error": str(exc)}, status=413)
    except documents.SceneNotInText as exc:  # merged into another scene or deleted meanwhile
        return JsonResponse({"ok": False, "error": str(exc)}, status=409)
    return JsonResponse(
        {"ok": True, "revision": scene.revision, "heading": scene.heading, "runtime": scene.runtime_seconds}
    )


@project_view()
def scene_history(request, project, pk: int):
    scene = _scene(project, pk)
    versions = scene.versions.select_related("author")
    return render(
        request, "scripts_app/scene_history.html", {"project": project, "scene": scene, "versions": versions}
    )


def compared_lines(old_text: str, new_text: str) -> list[tuple[str, str]]:
    """(kind, line) rows of an old version against the text now: "same", "removed" or "added".

    linediff, not difflib.ndiff: any member can open the version page, and ndiff is cubic on
    repeated lines (a 600-line scene of "△" took 9 s). A changed run shows its old lines, then its new."""
    old, new = old_text.splitlines(), new_text.splitlines()
    rows = []
    for tag, i1, i2, j1, j2 in linediff.opcodes(old, new):
        if tag == "equal":
            rows += [("same", line) for line in old[i1:i2]]
        else:
            rows += [("removed", line) for line in old[i1:i2]]
            rows += [("added", line) for line in new[j1:j2]]
    return rows


@project_view()
def scene_version(request, project, pk: int, version_id: int):
    """One earlier version, compared line by line with the scene as it is now."""
    scene = _scene(project, pk)
    version = get_object_or_404(SceneVersion.objects.select_related("author"), pk=version_id, scene=scene)
    rows = compared_lines(version.text, scene.text)
    context = {"project": project, "scene": scene, "version": version, "rows": rows,
               "may_write": request.membership.may(Role.WRITER)}  # fmt: skip
    return render(request, "scripts_app/scene_version.html", context)


@project_view(Role.WRITER)
@require_POST
def scene_restore(request, project, pk: int, version_id: int):
    scene = _scene(project, pk)
    version = get_object_or_404(SceneVersion, pk=version_id, scene=scene)
    try:
        scene_services.restore_version(scene=scene, version=version, user=request.user)
    except (scene_services.SceneTooLong, documents.SceneNotInText) as exc:
        messages.error(request, str(exc))
    return redirect("scene_edit", slug=project.slug, pk=scene.pk)


@project_view(Role.WRITER)
@require_POST
def scene_delete(request, project, pk: int):
    scene = _scene(project, pk)
    number = scene.episode.number
    heading = scene.heading or _("(no heading yet)")
    scene_services.delete_scene(scene=scene, user=request.user)
    # A scene with a locked number stays in the shooting script as OMITTED (services.scenes.delete_scene).
    if Scene.objects.filter(pk=scene.pk, omitted=True).exists():
        messages.success(
            request,
            _("Scene %(n)s will print as OMITTED in the shooting script; restore it from the scene list.")
            % {"n": scene.locked_number},
        )
    else:
        messages.success(request, _("Scene deleted: %(heading)s") % {"heading": heading})
    return redirect("episode_detail", slug=project.slug, number=number)


def _scenes_partial(request, project, episode: Episode) -> HttpResponse:
    if not request.htmx:
        return redirect("episode_detail", slug=project.slug, number=episode.number)
    scenes = selectors.numbered_scenes(
        episode=episode, scenes=list(episode.scenes.select_related("location"))
    )
    return render(request, "scripts_app/partials/scenes.html",
                  {"project": project, "episode": episode, "scenes": scenes, "may_write": True})  # fmt: skip


@project_view(Role.WRITER)
@require_POST
def scene_move(request, project, pk: int):
    scene = _scene(project, pk)
    delta = -1 if request.POST.get("direction") == "up" else 1
    ids = ordering.moved(
        ids=list(scene.episode.scenes.values_list("pk", flat=True)), item_id=scene.pk, delta=delta
    )
    documents.reorder_scenes(episode=scene.episode, ordered_ids=ids, user=request.user)
    return _scenes_partial(request, project, scene.episode)


@project_view(Role.WRITER)
@require_POST
def scenes_reorder(request, project, number: int):
    episode = get_object_or_404(Episode, project=project, number=number)
    ids = parse_ids(request.POST.getlist("order"))
    if ids is None:
        return bad_request(_("The new order must list scenes by their ids; nothing was moved."))
    documents.reorder_scenes(episode=episode, ordered_ids=ids, user=request.user)
    return _scenes_partial(request, project, episode)


@project_view(Role.WRITER)
@require_POST
def scene_restore_omitted(request, project, pk: int):
    scene = _scene(project, pk)
    scene_services.restore_omitted(scene=scene, user=request.user)
    return redirect("episode_detail", slug=project.slug, number=scene.episode.number)
