from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and organisation"

    def ready(self) -> None:
        from accounts.audit import register_for_audit
        from accounts.models import Membership, OrgUnit, User

        register_for_audit(OrgUnit)
        # A password hash has no place in a log, and signing in is not a change to the person.
        register_for_audit(User, exclude=["password", "last_login"])
        register_for_audit(Membership)
