"""A new person makes an account from the login page and lands on an empty series list of their own."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from .base import BaseTestCase

GOOD = {
    "username": "newwriter",
    "email": "",
    "password1": "a-long-pass-phrase",
    "password2": "a-long-pass-phrase",
}


class SignupTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        cache.clear()

    def test_the_login_page_offers_an_account(self) -> None:
        self.assertContains(self.client.get(reverse("login")), 'href="/accounts/signup/"')

    def test_it_creates_the_account_signs_in_and_shows_an_empty_series_list(self) -> None:
        response = self.client.post(reverse("signup"), GOOD, follow=True)
        self.assertRedirects(response, reverse("project_list"))
        self.assertContains(response, "Welcome, newwriter")
        self.assertNotContains(response, "Demo")  # alice's series is not theirs to see
        user = get_user_model().objects.get(username="newwriter")
        self.assertEqual(int(self.client.session["_auth_user_id"]), user.pk)
        self.assertEqual(user.memberships.count() if hasattr(user, "memberships") else 0, 0)

    def test_it_refuses_weak_passwords_and_names_with_an_at_sign(self) -> None:
        weak = {**GOOD, "password1": "12345678", "password2": "12345678"}
        self.assertContains(self.client.post(reverse("signup"), weak), "This password is too")
        at = {**GOOD, "username": "someone@example.org"}
        self.assertContains(self.client.post(reverse("signup"), at), "cannot contain")
        self.assertFalse(
            get_user_model().objects.filter(username__in=["newwriter", "someone@example.org"]).exists()
        )

    def test_it_does_not_take_a_name_twice(self) -> None:
        response = self.client.post(reverse("signup"), {**GOOD, "username": "alice"})
        self.assertContains(response, "already exists")
        self.assertEqual(get_user_model().objects.filter(username="alice").count(), 1)

    @override_settings(SIGNUPS_PER_HOUR=2)
    def test_one_address_makes_a_few_accounts_an_hour_at_most(self) -> None:
        for n in range(2):
            self.client.post(reverse("signup"), {**GOOD, "username": f"w{n}"})
            self.client.logout()
        response = self.client.post(reverse("signup"), {**GOOD, "username": "w2"})
        self.assertContains(response, "Too many accounts")
        self.assertFalse(get_user_model().objects.filter(username="w2").exists())

    @override_settings(SIGNUP_OPEN=False)
    def test_a_closed_server_has_no_signup(self) -> None:
        self.assertEqual(self.client.post(reverse("signup"), GOOD).status_code, 404)
        self.assertNotContains(self.client.get(reverse("login")), "/accounts/signup/")
        self.assertFalse(get_user_model().objects.filter(username="newwriter").exists())

    def test_a_signed_in_person_goes_to_their_series(self) -> None:
        self.login(self.alice)
        self.assertRedirects(self.client.get(reverse("signup")), reverse("project_list"))
