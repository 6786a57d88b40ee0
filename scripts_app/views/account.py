"""A member's own account page: their display name and their password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from ..forms import DisplayNameForm
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
