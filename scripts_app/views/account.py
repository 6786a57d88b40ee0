"""A person's own account: signing up, logging in, their display name and their password."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from ..forms import DisplayNameForm, SignupForm
from ..services import accounts


@login_required
def account(request):
    user = request.user
    form = DisplayNameForm(request.POST or None, initial={"display_name": user.get_full_name()})
    if request.method == "POST" and form.is_valid():
        accounts.set_display_name(user=user, name=form.cleaned_data["display_name"])
        name = accounts.display_name(user)
        messages.success(request, _("Saved: the room now sees you as “%(name)s”.") % {"name": name})
        return redirect("account")
    return render(request, "scripts_app/account.html", {"form": form})


class PasswordChange(auth_views.PasswordChangeView):
    """Django's own view (old password, then the configured validators), in the app's layout."""

    template_name = "scripts_app/account_password.html"
    success_url = reverse_lazy("account")

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session signed in (update_session_auth_hash)
        messages.success(self.request, _("Your password has been changed."))
        return response


password_change = PasswordChange.as_view()


class Login(auth_views.LoginView):
    """Django's login, with the way to an account of one's own when signing up is open."""

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "signup_open": settings.SIGNUP_OPEN}


login_view = Login.as_view()


def signup(request):
    """A new account: a name and a password (Django's full checks), then the series list, empty until
    they start a series or accept an invitation."""
    if not settings.SIGNUP_OPEN:
        raise Http404("Signing up is closed on this server.")
    if request.user.is_authenticated:
        return redirect("project_list")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = accounts.sign_up(form=form, address=request.META.get("REMOTE_ADDR", ""))
        except accounts.SignupRefused as exc:
            messages.error(request, str(exc))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome, %(name)s. Start a series of your own, or wait for a showrunner's invitation.")
                % {"name": user.get_username()},
            )
            return redirect("project_list")
    return render(request, "registration/signup.html", {"form": form})
