from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and organisation"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in
        from django.urls import reverse

        from accounts import two_factor
        from accounts.audit import register_for_audit
        from accounts.models import Membership, OrgUnit, SecurityPolicy, User

        register_for_audit(
            OrgUnit, page=lambda unit: reverse("people:org_units") + f"#unit-{unit.pk}"
        )
        # A password hash has no place in a log, and signing in is not a change to the person.
        register_for_audit(
            User,
            exclude=["password", "last_login"],
            page=lambda person: reverse("people:person", args=[person.pk]),
        )
        register_for_audit(
            Membership, page=lambda role: reverse("people:person", args=[role.user_id])
        )
        register_for_audit(SecurityPolicy, page=lambda _: reverse("people:security_policy"))

        # Whether a new session owes a two-factor code or an enrolment is decided at sign-in,
        # on every way in (the sign-in page, an accepted invitation).
        user_logged_in.connect(two_factor.note_sign_in, dispatch_uid="two_factor_note_sign_in")
