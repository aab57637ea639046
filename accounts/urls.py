"""The People section, under /people/ (see scorecard/urls.py)."""

from django.urls import path

from accounts import views, views_two_factor

app_name = "people"

urlpatterns = [
    path("", views.people, name="people"),
    path("new/", views.person_create, name="person_create"),
    path("invite/", views.person_invite, name="person_invite"),
    path("<int:pk>/", views.person, name="person"),
    path("<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("<int:pk>/deactivate/", views.person_deactivate, name="person_deactivate"),
    path("<int:pk>/reactivate/", views.person_reactivate, name="person_reactivate"),
    path("<int:pk>/invitation/", views.person_send_invitation, name="person_send_invitation"),
    path(
        "<int:pk>/two-factor/reset/",
        views_two_factor.person_two_factor_reset,
        name="person_two_factor_reset",
    ),
    path("security-policy/", views_two_factor.security_policy, name="security_policy"),
    path("<int:pk>/memberships/", views.membership_add, name="membership_add"),
    path("memberships/<int:pk>/role/", views.membership_change_role, name="membership_role"),
    path("memberships/<int:pk>/remove/", views.membership_remove, name="membership_remove"),
    path("units/", views.org_units, name="org_units"),
    path("units/add/", views.org_unit_add, name="org_unit_add"),
    path("units/<int:pk>/rename/", views.org_unit_rename, name="org_unit_rename"),
    path("units/<int:pk>/move/", views.org_unit_move, name="org_unit_move"),
    path("units/<int:pk>/archive/", views.org_unit_archive, name="org_unit_archive"),
    path("units/<int:pk>/restore/", views.org_unit_restore, name="org_unit_restore"),
    # Public: the invited person has no password yet.
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
