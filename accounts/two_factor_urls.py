"""A person's own Security page and the code step of signing in, under /account/ (see
scorecard/urls.py)."""

from django.urls import path

from accounts import views_two_factor

app_name = "security"

urlpatterns = [
    path("security/", views_two_factor.security, name="security"),
    path("security/two-factor/", views_two_factor.two_factor_enrol, name="two_factor_enrol"),
    path(
        "security/backup-codes/",
        views_two_factor.backup_codes_replace,
        name="backup_codes_replace",
    ),
    path(
        "security/two-factor/remove/",
        views_two_factor.two_factor_remove,
        name="two_factor_remove",
    ),
    path("sign-in/code/", views_two_factor.two_factor_verify, name="two_factor_verify"),
]
