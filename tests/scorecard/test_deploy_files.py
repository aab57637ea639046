"""docker-compose.yml, the Dockerfile and .env.example describe a deployment that can run.

No Docker engine is needed: the files are read, and every command they run is checked against
the project (management commands, modules, the Celery app, the beat scheduler), and every
setting the app reads against .env.example.
"""

import ast
import importlib
import importlib.util
import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from celery import Celery
from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DOCKERFILE = (ROOT / "Dockerfile").read_text()
ENV_EXAMPLE = (ROOT / ".env.example").read_text()

# Services with no health check, each for the reason its comment in docker-compose.yml gives.
NO_HEALTH_CHECK = {
    "migrate": "a one-off job that exits when the migrations are done",
    "beat": "answers no ping and writes no file; restart keeps its process running",
}


def words(command: str | list[str]) -> list[str]:
    if isinstance(command, list):
        return [word for part in command for word in shlex.split(part)]
    return shlex.split(command.replace("$$", "$"))


def commands() -> list[tuple[str, list[str]]]:
    """Every command line of the deployment: the services', their health checks', the image's."""
    found = []
    for name, service in SERVICES.items():
        if "command" in service:
            found.append((name, words(service["command"])))
        test = service.get("healthcheck", {}).get("test")
        if test:
            found.append((f"{name} health check", words(test[1:])))
    # Instructions joined across continued lines; CMD and HEALTHCHECK's CMD in JSON form.
    instructions = DOCKERFILE.replace("\\\n", " ")
    for instruction in ("CMD", "HEALTHCHECK"):
        for line in re.findall(rf"^{instruction} .*?(\[.*\])$", instructions, re.MULTILINE):
            found.append((f"Dockerfile {instruction}", json.loads(line)))
    return found


def after(command: list[str], word: str) -> list[str]:
    """The words that follow each occurrence of `word`."""
    return [command[i + 1] for i, each in enumerate(command[:-1]) if each == word]


def importable(dotted: str) -> bool:
    """Whether `module` or `module:attribute` (or `module.attribute`) names something real."""
    module_name, _, attribute = dotted.partition(":")
    if importlib.util.find_spec(module_name) is not None:
        module = importlib.import_module(module_name)
        return not attribute or hasattr(module, attribute)
    parent, _, attribute = module_name.rpartition(".")
    return bool(parent) and hasattr(importlib.import_module(parent), attribute)


def test_the_services_are_the_database_redis_migrations_web_worker_and_beat():
    assert set(SERVICES) == {"db", "redis", "migrate", "web", "worker", "beat"}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_each_service_has_a_health_check_or_a_reason_for_none(name):
    check = SERVICES[name].get("healthcheck")
    assert check, f"{name} has no healthcheck"
    if name in NO_HEALTH_CHECK:
        assert check == {"disable": True}
    else:
        assert check["test"], f"{name}'s health check runs nothing"


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_no_service_has_a_fixed_container_name(name):
    # A fixed name allows one container only, so `--scale` would fail.
    assert "container_name" not in SERVICES[name]


def test_only_web_publishes_a_port():
    assert [name for name, service in SERVICES.items() if "ports" in service] == ["web"]


def test_data_lives_in_named_volumes():
    assert set(COMPOSE["volumes"]) == {"postgres-data", "redis-data"}
    for name in ("db", "redis"):
        volume = SERVICES[name]["volumes"][0].split(":")[0]
        assert volume in COMPOSE["volumes"]


def test_the_app_services_run_in_production_on_postgresql_and_redis_after_the_migrations():
    for name in ("web", "worker", "beat"):
        service = SERVICES[name]
        assert service["env_file"] == ".env"
        assert service["environment"]["DEBUG"] == "0"
        assert service["environment"]["DATABASE_URL"].startswith("postgres://")
        assert service["environment"]["REDIS_URL"].startswith("redis://redis:")
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert service["depends_on"]["db"] == {"condition": "service_healthy"}
        assert service["depends_on"]["redis"] == {"condition": "service_healthy"}


def test_manage_py_commands_exist():
    used = [(where, name) for where, line in commands() for name in after(line, "manage.py")]
    assert ("migrate", "migrate") in used
    available = get_commands()
    assert [(where, name) for where, name in used if name not in available] == []


def test_gunicorn_serves_the_projects_wsgi_application():
    served = [after(line, "gunicorn") for _, line in commands() if "gunicorn" in line]
    assert served == [["scorecard.wsgi"], ["scorecard.wsgi"]]  # web and the image's default
    assert importable("scorecard.wsgi:application")


def test_celery_commands_name_the_projects_celery_app():
    apps = {app for _, line in commands() for app in after(line, "-A")}
    assert apps == {"scorecard"}
    # `celery -A scorecard` finds the app as scorecard.celery_app, defined in scorecard.celery.
    assert isinstance(importlib.import_module("scorecard").celery_app, Celery)
    assert importable("scorecard.celery:app")


def test_beat_uses_the_scheduler_the_settings_name_and_it_imports():
    schedulers = [name for _, line in commands() for name in after(line, "--scheduler")]
    assert schedulers == ["django_celery_beat.schedulers:DatabaseScheduler"]
    assert importable(schedulers[0])


def test_health_checks_run_modules_that_exist():
    modules = [name for _, line in commands() for name in after(line, "-m")]
    assert modules == ["scorecard.health_probe", "scorecard.health_probe"]  # web and the image
    assert importable("scorecard.health_probe:main")


def test_the_image_runs_as_a_non_root_user_with_a_health_check():
    assert re.search(r"^USER bearing$", DOCKERFILE, re.MULTILINE)
    assert "HEALTHCHECK" in DOCKERFILE
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


# --- .env.example -------------------------------------------------------------------------------


def variables_the_settings_read() -> set[str]:
    """The names passed to the readers of scorecard/env.py anywhere in the settings."""
    tree = ast.parse((ROOT / "scorecard" / "settings.py").read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id.startswith("env_")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


def documented() -> set[str]:
    """Names set, or shown commented with their default, in .env.example."""
    return set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE, re.MULTILINE))


def test_env_example_documents_every_variable_the_settings_read():
    read = variables_the_settings_read()
    assert {"SECRET_KEY", "DATABASE_URL", "IMPORT_XLSX_MAX_PART_BYTES"} <= read
    assert sorted(read - documented()) == []


def test_env_example_sets_every_variable_the_compose_file_asks_for():
    asked = set(re.findall(r"\$\{([A-Z_]+)", (ROOT / "docker-compose.yml").read_text()))
    assert asked == {"POSTGRES_PASSWORD"}
    assert asked <= documented()


def test_env_example_sets_the_required_production_settings_to_placeholders():
    values = dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE, re.MULTILINE))
    assert {"SECRET_KEY", "ALLOWED_HOSTS", "POSTGRES_PASSWORD"} <= set(values)
    assert len(values["SECRET_KEY"]) >= 50
    assert values["SECRET_KEY"].startswith("replace-with-")
    assert values["POSTGRES_PASSWORD"].startswith("replace-with-")
