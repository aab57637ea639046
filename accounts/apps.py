from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and organisation"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts import two_factor
        from accounts.audit import register_for_audit
        from accounts.models import Membership, OrgUnit, SecurityPolicy, User

        register_for_audit(OrgUnit)
        # A password hash has no place in a log, and signing in is not a change to the person.
        register_for_audit(User, exclude=["password", "last_login"])
        register_for_audit(Membership)
        register_for_audit(SecurityPolicy)

        # Whether a new session owes a two-factor code or an enrolment is decided at sign-in,
        # on every way in (the sign-in page, an accepted invitation).
        user_logged_in.connect(two_factor.note_sign_in, dispatch_uid="two_factor_note_sign_in")
