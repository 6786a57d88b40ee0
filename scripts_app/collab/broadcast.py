"""Telling connected websockets that something changed, from sync code (views, services, tasks).

Messages go out after the surrounding transaction commits, so nobody renders a fragment from data
that is rolled back or not yet visible.
"""

from __future__ import annotations

import asyncio
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def project_group(project_id: int) -> str:
    """Every live page of a series (board, episode, scene, bible...)."""
    return f"project-{project_id}"


def member_group(project_id: int, user_id: int) -> str:
    """Every websocket one user has open on one series: role changes reach them here."""
    return f"member-{project_id}-{user_id}"


def send_now(group: str, message: dict) -> None:
    """Send from sync code. async_to_sync refuses to run in a thread that has an event loop (a test
    driving a browser with Playwright's sync API): the message then goes from a thread of its own."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        async_to_sync(layer.group_send)(group, message)
        return
    sender = threading.Thread(target=async_to_sync(layer.group_send), args=(group, message), name="broadcast")
    sender.start()
    sender.join()


def send_after_commit(group: str, message: dict) -> None:
    transaction.on_commit(lambda: send_now(group, message))
