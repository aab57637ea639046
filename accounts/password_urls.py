"""“Forgot your password?”, under /accounts/password-reset/ (see accounts/password_reset.py).

Django's own views with Bearing's templates; their URL names are Django's, which the views
use to find each other.
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts.password_reset import ThrottledPasswordResetForm

urlpatterns = [
    path(
        "",
        auth_views.PasswordResetView.as_view(
            form_class=ThrottledPasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path("sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
