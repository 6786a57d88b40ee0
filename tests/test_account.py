"""Issue 9, point 16: members set the name the room sees and change their password, from an
account page linked in the header."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

from scripts_app.collab import presence
from scripts_app.services.scenes import save_scene_text

from .base import PASSWORD, BaseTestCase

NEW_PASSWORD = "a-river-of-lanterns-9"


class AccountTestCase(BaseTestCase):
    def test_the_header_links_to_the_account_page_and_strangers_must_log_in(self) -> None:
        response = self.client.get(reverse("account"))
        self.assertRedirects(response, f"{reverse('login')}?next={reverse('account')}")
        self.login(self.bob)
        page = self.client.get(reverse("project_list")).content.decode()
        self.assertIn(f'href="{reverse("account")}"', page)
        self.assertContains(self.client.get(reverse("account")), "You log in as <strong>bob</strong>")

    def test_a_display_name_replaces_the_login_name_where_the_room_looks(self) -> None:
        self.login(self.bob)
        response = self.client.post(reverse("account"), {"display_name": "  顾   辰 "}, follow=True)
        self.assertContains(response, "the room now sees you as “顾 辰”")
        self.bob.refresh_from_db()
        self.assertEqual(
            (self.bob.first_name, self.bob.last_name, self.bob.get_full_name()), ("顾 辰", "", "顾 辰")
        )
        self.assertEqual(presence.display_name(self.bob), "顾 辰")

        save_scene_text(scene=self.scene, user=self.bob, text=self.scene.text + "△顾辰写的。\n")
        history = self.client.get(reverse("scene_history", args=[self.project.slug, self.scene.pk]))
        self.assertContains(history, "顾 辰")
        board = self.client.get(reverse("project_detail", args=[self.project.slug])).content.decode()
        self.assertIn('<span class="who" id="who">顾 辰', board)
        members = self.client.get(reverse("members", args=[self.project.slug]))
        self.assertContains(members, '顾 辰 <span class="muted">(bob)</span>')

        self.client.post(reverse("account"), {"display_name": ""})  # cleared: the login name again
        self.bob.refresh_from_db()
        self.assertEqual(presence.display_name(self.bob), "bob")

    def test_a_display_name_that_is_too_long_is_refused_with_a_message(self) -> None:
        self.login(self.bob)
        response = self.client.post(reverse("account"), {"display_name": "长" * 151})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "at most 150 characters")
        self.bob.refresh_from_db()
        self.assertEqual(self.bob.first_name, "")

    def test_the_title_page_s_contact_starts_as_the_showrunner_s_display_name(self) -> None:
        self.alice.first_name = "周导"
        self.alice.save()
        self.login(self.bob)
        page = self.client.get(reverse("title_page", args=[self.project.slug])).content.decode()
        self.assertIn("周导\nalice@example.org</textarea>", page)

    def test_a_member_changes_their_password_with_the_old_one_and_stays_logged_in(self) -> None:
        self.login(self.bob)
        url = reverse("password_change")
        self.assertContains(self.client.get(url), 'id="password-form"')
        wrong = self.client.post(
            url, {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        self.assertContains(wrong, "Your old password was entered incorrectly")
        weak = self.client.post(
            url, {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"}
        )
        self.assertContains(weak, "This password is too short")
        response = self.client.post(
            url,
            {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
            follow=True,
        )
        self.assertRedirects(response, reverse("account"))
        self.assertContains(response, "Your password has been changed.")
        self.assertEqual(self.client.get(reverse("project_list")).status_code, 200)  # still signed in
        self.assertTrue(get_user_model().objects.get(pk=self.bob.pk).check_password(NEW_PASSWORD))
        self.client.logout()
        old = self.client.post(reverse("login"), {"username": "bob", "password": PASSWORD})
        self.assertEqual(old.status_code, 200)  # the form again, with its error
        new = self.client.post(reverse("login"), {"username": "bob", "password": NEW_PASSWORD})
        self.assertRedirects(new, reverse("project_list"))
