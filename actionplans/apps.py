from django.apps import AppConfig


class ActionplansConfig(AppConfig):
    name = "actionplans"
    verbose_name = "Action plans"

    def ready(self) -> None:
        from accounts.audit import register_for_audit
        from actionplans.models import ActionPlan, Task

        register_for_audit(ActionPlan)
        register_for_audit(Task)
