from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from scripts_app.views import account

urlpatterns = [
    path("accounts/login/", account.login_view, name="login"),
    path("accounts/signup/", account.signup, name="signup"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", account.account, name="account"),
    path("accounts/password/", account.password_change, name="password_change"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("scripts_app.urls")),
]

# Error pages in the app's layout, with a way back (scripts_app/views/errors.py).
handler403 = "scripts_app.views.errors.forbidden"
handler404 = "scripts_app.views.errors.not_found"
handler500 = "scripts_app.views.errors.server_error"
