"""Comments anchored to the script: every member may comment, threads resolve and reopen."""

from __future__ import annotations

from django.urls import reverse

from scripts_app.models import Comment

from .base import BaseTestCase


class CommentTestCase(BaseTestCase):
    def add(self, user, body: str, **extra):
        self.login(user)
        data = {"body": body, "anchor_start": "AQID", "anchor_end": "AQIE", "quote": "推门进来", **extra}
        return self.client.post(reverse("comment_add", args=["demo", 1]), data, HTTP_HX_REQUEST="true")

    def test_a_viewer_may_comment_on_the_script(self) -> None:
        response = self.add(self.charlie, "这句太长了")
        self.assertContains(response, "这句太长了")
        comment = Comment.objects.get()
        self.assertEqual(
            (comment.author, comment.quote, comment.anchor_start), (self.charlie, "推门进来", "AQID")
        )

    def test_it_escapes_what_people_write(self) -> None:
        response = self.add(self.bob, "<script>alert(1)</script>", quote="<img src=x onerror=alert(1)>")
        self.assertNotContains(response, "<script>alert(1)")
        self.assertNotContains(response, "<img src=x")
        self.assertContains(response, "&lt;script&gt;")

    def test_it_refuses_an_anchor_that_is_not_a_position(self) -> None:
        response = self.add(self.bob, "看这里", anchor_start='"><script>')
        self.assertFalse(Comment.objects.exists())
        self.assertIn("comment-error", response["HX-Trigger"])

    def test_it_refuses_an_empty_comment(self) -> None:
        self.add(self.bob, "   ")
        self.assertFalse(Comment.objects.exists())

    def test_threads_resolve_and_a_reply_reopens_them(self) -> None:
        self.add(self.bob, "要改")
        thread = Comment.objects.get()
        self.client.post(reverse("comment_resolve", args=["demo", thread.pk]), {"action": "resolve"})
        thread.refresh_from_db()
        self.assertIsNotNone(thread.resolved_at)
        self.client.post(reverse("comment_reply", args=["demo", thread.pk]), {"body": "还没改完"})
        thread.refresh_from_db()
        self.assertIsNone(thread.resolved_at)
        self.assertEqual(thread.replies.get().body, "还没改完")

    def test_outsiders_cannot_read_or_write_comments(self) -> None:
        self.add(self.bob, "内部意见")
        self.login(self.mallory)
        self.assertEqual(self.client.get(reverse("episode_comments", args=["demo", 1])).status_code, 404)
        thread = Comment.objects.get()
        response = self.client.post(reverse("comment_reply", args=["demo", thread.pk]), {"body": "x"})
        self.assertEqual(response.status_code, 404)

    def test_the_episode_page_lists_the_threads(self) -> None:
        self.add(self.bob, "节奏慢")
        response = self.client.get(reverse("episode_detail", args=["demo", 1]))
        self.assertContains(response, "节奏慢")
        self.assertContains(response, 'data-anchor-start="AQID"')
