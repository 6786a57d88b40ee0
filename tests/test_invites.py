"""Membership needs consent: invitations by name, e-mail or link, accepted or declined by the invitee."""

from __future__ import annotations

import re
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from scripts_app.models import Invite, Membership
from scripts_app.services import projects

from .base import BaseTestCase

LINK_RE = re.compile(r"https?://[^/\s]+(/invites/t/[\w-]+/)")


class InviteTestCase(BaseTestCase):
    def invite(self, who: str, role: str = "writer") -> str:
        """Invite as alice; returns the message she was shown."""
        self.login(self.alice)
        response = self.client.post(
            reverse("member_add", args=["demo"]), {"who": who, "role": role}, follow=True
        )
        return " ".join(str(m) for m in response.context["messages"])

    def is_member(self, user) -> bool:
        return Membership.objects.filter(project=self.project, user=user).exists()

    def test_nobody_joins_a_room_without_accepting(self) -> None:
        self.invite("mallory")
        self.assertFalse(self.is_member(self.mallory))
        self.login(self.mallory)
        page = self.client.get(reverse("project_list"))
        self.assertContains(page, "“Demo” as Writer, from alice")
        self.assertEqual(self.client.get(reverse("members", args=["demo"])).status_code, 404)
        invite = Invite.objects.get(user=self.mallory)
        response = self.client.post(reverse("invite_answer", args=[invite.pk]), {"action": "accept"})
        self.assertRedirects(response, reverse("project_detail", args=["demo"]))
        self.assertEqual(Membership.objects.get(project=self.project, user=self.mallory).role, "writer")

    def test_an_invitation_by_e_mail_reaches_the_account_with_that_address(self) -> None:
        self.invite("MALLORY@example.org", role="viewer")
        self.assertEqual(Invite.objects.get().user, self.mallory)

    def test_the_answer_does_not_reveal_whether_an_account_exists(self) -> None:
        def shape(message: str, who: str) -> str:
            return LINK_RE.sub("LINK", message.replace(who, "WHO"))

        answers = {who: shape(self.invite(who), who) for who in ("mallory", "nobody", "ghost@example.org")}
        self.assertEqual(len(set(answers.values())), 1, answers)
        self.assertNotIn("No user", answers["nobody"])

    def test_e_mail_addresses_are_shown_only_to_their_owner(self) -> None:
        self.login(self.bob)
        page = self.client.get(reverse("members", args=["demo"]))
        self.assertContains(page, "bob@example.org")
        self.assertNotContains(page, "alice@example.org")
        self.assertNotContains(page, "charlie@example.org")
        self.login(self.alice)  # the showrunner neither
        page = self.client.get(reverse("members", args=["demo"]))
        self.assertNotContains(page, "bob@example.org")

    def test_the_showrunner_sees_what_they_typed_not_the_account_it_matched(self) -> None:
        self.invite("MALLORY@example.org")
        page = self.client.get(reverse("members", args=["demo"]))
        self.assertContains(page, "MALLORY@example.org")
        self.assertNotContains(page, ">mallory<")
        self.login(self.bob)  # writers see the members, not who is invited
        self.assertNotContains(self.client.get(reverse("members", args=["demo"])), "MALLORY@example.org")

    def test_declining_leaves_no_membership_and_closes_the_invitation(self) -> None:
        self.invite("mallory")
        self.login(self.mallory)
        invite = Invite.objects.get()
        self.client.post(reverse("invite_answer", args=[invite.pk]), {"action": "decline"})
        self.assertFalse(self.is_member(self.mallory))
        self.client.post(reverse("invite_answer", args=[invite.pk]), {"action": "accept"})
        self.assertFalse(self.is_member(self.mallory))
        self.assertNotContains(self.client.get(reverse("project_list")), "“Demo”")

    def test_only_the_invitee_answers_an_invitation_on_their_list(self) -> None:
        self.invite("mallory")
        invite = Invite.objects.get()
        self.login(self.charlie)
        response = self.client.post(reverse("invite_answer", args=[invite.pk]), {"action": "accept"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(Membership.objects.get(project=self.project, user=self.charlie).role, "viewer")

    def test_only_a_showrunner_invites_or_withdraws(self) -> None:
        self.invite("mallory")
        invite = Invite.objects.get()
        self.login(self.bob)
        self.assertEqual(
            self.client.post(reverse("member_add", args=["demo"]), {"role": "writer"}).status_code, 403
        )
        url = reverse("invite_withdraw", args=["demo", invite.pk])
        self.assertEqual(self.client.post(url).status_code, 403)
        self.login(self.alice)
        self.client.post(url)
        invite.refresh_from_db()
        self.assertEqual(invite.status, "revoked")

    def test_a_link_lets_someone_without_an_account_choose_a_password_and_join(self) -> None:
        message = self.invite("", role="viewer")
        path = LINK_RE.search(message)[1]
        self.assertNotIn(path.split("/")[-2], Invite.objects.get().token_hash)  # only a hash is kept
        self.client.logout()
        page = self.client.get(path)
        self.assertContains(page, "Join “Demo”")
        weak = self.client.post(
            path,
            {"signup": "1", "username": "newbie", "password1": "12345678901", "password2": "12345678901"},
        )
        self.assertContains(weak, "entirely numeric")
        self.assertFalse(get_user_model().objects.filter(username="newbie").exists())
        password = "a long and unusual phrase"
        response = self.client.post(
            path,
            {"signup": "1", "username": "newbie", "email": "", "password1": password, "password2": password},
        )
        self.assertRedirects(response, reverse("project_detail", args=["demo"]))
        newbie = get_user_model().objects.get(username="newbie")
        self.assertEqual(Membership.objects.get(project=self.project, user=newbie).role, "viewer")
        self.client.logout()
        self.assertEqual(self.client.get(path).status_code, 404)  # used: it opens nothing any more

    def test_someone_signed_in_accepts_a_link_as_themselves(self) -> None:
        path = LINK_RE.search(self.invite(""))[1]
        self.login(self.mallory)
        self.assertContains(self.client.get(path), "Accept as mallory")
        self.client.post(path, {"action": "accept"})
        self.assertTrue(self.is_member(self.mallory))

    def test_an_expired_or_withdrawn_link_opens_nothing(self) -> None:
        path = LINK_RE.search(self.invite(""))[1]
        Invite.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
        self.login(self.mallory)
        self.assertEqual(self.client.get(path).status_code, 404)
        self.assertEqual(self.client.post(path, {"action": "accept"}).status_code, 404)
        self.assertFalse(self.is_member(self.mallory))
        self.assertEqual(self.client.get("/invites/t/not-a-token/").status_code, 404)

    def test_accepting_as_a_member_keeps_the_role_one_has(self) -> None:
        new = projects.invite(project=self.project, invited_by=self.alice, who="charlie", role="showrunner")
        projects.accept_invite(invite=new.invite, user=self.charlie)
        self.assertEqual(Membership.objects.get(project=self.project, user=self.charlie).role, "viewer")

    def test_an_invitation_names_the_inviter_by_their_display_name(self) -> None:
        from scripts_app.services.accounts import set_display_name

        set_display_name(user=self.alice, name="林墨")
        self.invite("mallory")
        path = LINK_RE.search(self.invite(""))[1]
        self.login(self.mallory)
        self.assertContains(self.client.get(reverse("project_list")), "“Demo” as Writer, from 林墨")
        self.client.logout()
        page = self.client.get(path)
        self.assertContains(page, "林墨 invites you to the room as Writer.")
        self.assertNotContains(page, "alice")
