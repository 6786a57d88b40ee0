"""Membership needs consent: invitations by name, e-mail or link, accepted or declined by the invitee;
an invitation by address reaches its person only through the link mailed there."""

from __future__ import annotations

import re
import smtplib
from datetime import timedelta
from unittest import mock

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
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

    def test_an_e_mail_invitation_is_sent_to_the_address_as_a_link(self) -> None:
        said = self.invite("someone@company.example", role="viewer")
        self.assertEqual(said, "Invitation sent to “someone@company.example”. "
                         "It can be accepted only through the link in that e-mail.")  # fmt: skip
        self.assertNotIn("/invites/t/", said)  # the showrunner is not given the link
        (sent,) = mail.outbox
        self.assertEqual(sent.to, ["someone@company.example"])
        self.assertIn("“Demo”", sent.subject)
        self.assertIn("alice invites you to the writers' room of “Demo” as Viewer.", sent.body)
        path = LINK_RE.search(sent.body)[1]
        self.assertIn("http://testserver/invites/t/", sent.body)
        self.client.logout()
        page = self.client.get(path)
        self.assertContains(page, "Join “Demo”")
        self.assertContains(page, 'value="someone@company.example"')  # whoever reads the mail owns it
        password = "a long and unusual phrase"
        self.client.post(
            path,
            {"signup": "1", "username": "someone", "email": "someone@company.example",
             "password1": password, "password2": password},
        )  # fmt: skip
        someone = get_user_model().objects.get(username="someone")
        self.assertEqual(Membership.objects.get(project=self.project, user=someone).role, "viewer")

    def test_an_e_mail_invitation_never_reaches_an_account_by_the_address_it_claims(self) -> None:
        self.invite("MALLORY@example.org", role="viewer")
        invite = Invite.objects.get()
        self.assertIsNone(invite.user)
        self.login(self.mallory)
        self.assertNotContains(self.client.get(reverse("project_list")), "“Demo”")
        response = self.client.post(reverse("invite_answer", args=[invite.pk]), {"action": "accept"})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.is_member(self.mallory))
        # Only the mailed link opens it, for whoever reads that mail.
        self.client.post(LINK_RE.search(mail.outbox[0].body)[1], {"action": "accept"})
        self.assertEqual(Membership.objects.get(project=self.project, user=self.mallory).role, "viewer")

    def test_a_squatter_who_claimed_someone_elses_address_cannot_take_their_invitation(self) -> None:
        # The auditor's repro (scratch10/invite_squat.py): Mallory makes a link in her own series...
        mine = projects.create_project(user=self.mallory, title="Mine", slug="mine", script_format="zh")
        link = projects.invite(project=mine, invited_by=self.mallory, who="", role="viewer")
        squatter = Client()
        password = "Zq8-long-enough-pass"
        squatter.post(
            reverse("invite_link", args=[link.token]),
            {"signup": "1", "username": "sock", "email": "victim@company.example",
             "password1": password, "password2": password},
        )  # fmt: skip
        sock = get_user_model().objects.get(username="sock", email="victim@company.example")
        # ...and the showrunner of another series invites the victim's address.
        self.invite("victim@company.example", role="writer")
        invite = Invite.objects.get(project=self.project)
        self.assertIsNone(invite.user)
        self.assertNotContains(squatter.get(reverse("project_list")), "“Demo”")
        response = squatter.post(reverse("invite_answer", args=[invite.pk]), {"action": "accept"})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.is_member(sock))
        invite.refresh_from_db()
        self.assertEqual(invite.status, "pending")
        # The mail went to the victim, who joins through it.
        (sent,) = [m for m in mail.outbox if m.to == ["victim@company.example"]]
        victim = Client()
        victim.post(
            LINK_RE.search(sent.body)[1],
            {"signup": "1", "username": "victim", "password1": password, "password2": password},
        )
        victim_user = get_user_model().objects.get(username="victim")
        self.assertEqual(Membership.objects.get(project=self.project, user=victim_user).role, "writer")
        self.assertFalse(self.is_member(sock))

    def test_an_invitation_once_matched_by_an_unverified_address_is_on_nobodys_list(self) -> None:
        # Made before invitations by address travelled as mail: matched to an account by its address.
        invite = Invite.objects.create(
            project=self.project, role="writer", invitee="mallory@example.org", user=self.mallory,
            token_hash="x" * 64, invited_by=self.alice, expires_at=timezone.now() + timedelta(days=1),
        )  # fmt: skip
        self.login(self.mallory)
        self.assertNotContains(self.client.get(reverse("project_list")), "“Demo”")
        response = self.client.post(reverse("invite_answer", args=[invite.pk]), {"action": "accept"})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.is_member(self.mallory))

    def test_a_new_username_cannot_be_an_address(self) -> None:
        path = LINK_RE.search(self.invite(""))[1]
        self.client.logout()
        password = "a long and unusual phrase"
        response = self.client.post(
            path,
            {"signup": "1", "username": "victim@company.example", "password1": password,
             "password2": password},
        )  # fmt: skip
        self.assertContains(response, "A username cannot contain “@”")
        self.assertFalse(get_user_model().objects.filter(username__contains="@").exists())

    def test_something_with_an_at_sign_that_is_no_address_is_refused_and_nothing_is_sent(self) -> None:
        said = self.invite("mallory@")
        self.assertIn("“mallory@” is not an e-mail address", said)
        self.assertFalse(Invite.objects.exists())
        self.assertEqual(mail.outbox, [])

    def test_a_mail_server_that_refuses_leaves_no_invitation_and_says_so(self) -> None:
        with mock.patch(
            "scripts_app.services.projects.send_mail", side_effect=smtplib.SMTPException("refused")
        ):
            said = self.invite("someone@company.example")
        self.assertIn("could not be sent to “someone@company.example”", said)
        self.assertFalse(Invite.objects.exists())

    def test_the_answer_does_not_reveal_whether_an_account_exists(self) -> None:
        def shape(message: str, who: str) -> str:
            return LINK_RE.sub("LINK", message.replace(who, "WHO"))

        by_name = {who: shape(self.invite(who), who) for who in ("mallory", "nobody")}
        self.assertEqual(len(set(by_name.values())), 1, by_name)
        self.assertNotIn("No user", by_name["nobody"])
        by_address = {
            who: shape(self.invite(who), who) for who in ("mallory@example.org", "ghost@example.org")
        }
        self.assertEqual(len(set(by_address.values())), 1, by_address)
        # The mails are alike too: neither says whether the address has an account here.
        bodies = {shape(m.body, m.to[0]) for m in mail.outbox}
        self.assertEqual(len(bodies), 1, bodies)

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

    def test_a_name_already_taken_is_said_so_on_the_link_page(self) -> None:
        path = LINK_RE.search(self.invite(""))[1]
        self.client.logout()
        password = "a long and unusual phrase"
        response = self.client.post(
            path, {"signup": "1", "username": "Bob", "password1": password, "password2": password}
        )
        self.assertContains(response, "already exists")
        self.assertEqual(Invite.objects.get().status, "pending")

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
