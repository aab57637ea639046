"""Settings come from the environment, fall back to the embedded default, and fail loudly."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from scorecard.env import env_bool, env_int, env_list, env_optional, env_str

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Every variable the settings read, so the outer environment cannot leak into a case.
SETTINGS_VARIABLES = [
    "DJANGO_SETTINGS_MODULE",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "TIME_ZONE",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "DEFAULT_FROM_EMAIL",
    "BEARING_SITE_URL",
    "FISCAL_YEAR_START_MONTH",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "LOG_LEVEL",
    "SCORECARD_TRANSPARENCY",
    "SIGN_IN_FAILURE_LIMIT",
    "SIGN_IN_LOCKOUT_MINUTES",
    "SESSION_IDLE_MINUTES",
    "BEHIND_PROXY",
    "IMPORT_MAX_BYTES",
    "IMPORT_MAX_ROWS",
    "IMPORT_MAX_COLUMNS",
    "IMPORT_MAX_CELLS",
    "IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES",
    "IMPORT_XLSX_MAX_PART_BYTES",
    "IMPORT_XLSX_MAX_PARTS",
    "IMPORT_XLSX_MAX_SHEETS",
    "IMPORT_XLSX_MAX_RATIO",
    "PAGE_CACHE_SECONDS",
    # Set by the browser tests' conftest; production checks rightly refuse it.
    "DJANGO_ALLOW_ASYNC_UNSAFE",
]


def manage_check(tmp_path: Path, *args: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """Run `manage.py check` in a fresh interpreter with only the given settings variables."""
    return manage(tmp_path, "check", *args, **variables)


def manage(
    tmp_path: Path, command: str, *args: str, **variables: str
) -> subprocess.CompletedProcess[str]:
    """Run a manage.py command in a fresh interpreter with only the given settings variables."""
    env = {name: value for name, value in os.environ.items() if name not in SETTINGS_VARIABLES}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'check.sqlite3'}"
    env.update(variables)
    return subprocess.run(
        [sys.executable, "manage.py", command, *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_embedded_default_passes_check(tmp_path):
    result = manage_check(tmp_path)
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"FISCAL_YEAR_START_MONTH": "13"}, "FISCAL_YEAR_START_MONTH must be between 1 and 12"),
        ({"FISCAL_YEAR_START_MONTH": "abc"}, "FISCAL_YEAR_START_MONTH must be a whole number"),
        ({"DEBUG": "maybe"}, "DEBUG must be one of"),
        ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL must be a sqlite:// or postgres:// URL"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL is not a usable database URL"),
        ({"REDIS_URL": "http://x"}, "REDIS_URL must be a redis:// or rediss:// URL"),
        ({"BEARING_SITE_URL": "bearing.example.com"}, "BEARING_SITE_URL must be an http://"),
        ({"DEBUG": "0", "ALLOWED_HOSTS": "example.com"}, "SECRET_KEY must be set"),
        (
            {"DEBUG": "0", "ALLOWED_HOSTS": "example.com", "SECRET_KEY": "too-short"},
            "SECRET_KEY must be set",
        ),
        ({"DEBUG": "0", "SECRET_KEY": "x" * 60}, "ALLOWED_HOSTS must name"),
        ({"SIGN_IN_FAILURE_LIMIT": "0"}, "SIGN_IN_FAILURE_LIMIT must be at least 1"),
        ({"SIGN_IN_LOCKOUT_MINUTES": "soon"}, "SIGN_IN_LOCKOUT_MINUTES must be a whole number"),
        ({"SESSION_IDLE_MINUTES": "0"}, "SESSION_IDLE_MINUTES must be at least 1"),
        ({"BEHIND_PROXY": "maybe"}, "BEHIND_PROXY must be one of"),
        ({"IMPORT_MAX_ROWS": "0"}, "IMPORT_MAX_ROWS must be at least 1"),
        ({"IMPORT_MAX_COLUMNS": "5"}, "IMPORT_MAX_COLUMNS must be between 10 and 16384"),
        ({"IMPORT_XLSX_MAX_RATIO": "lots"}, "IMPORT_XLSX_MAX_RATIO must be a whole number"),
    ],
    ids=[
        "fiscal-month-13",
        "fiscal-month-abc",
        "debug-maybe",
        "database-mysql",
        "database-nonsense",
        "redis-http",
        "site-url-without-scheme",
        "production-without-secret",
        "production-with-short-secret",
        "production-without-hosts",
        "sign-in-limit-0",
        "sign-in-lockout-soon",
        "session-idle-0",
        "behind-proxy-maybe",
        "import-rows-0",
        "import-columns-5",
        "import-ratio-lots",
    ],
)
def test_a_bad_setting_stops_start_up_with_a_message_naming_the_variable(
    tmp_path, variables, named
):
    result = manage_check(tmp_path, **variables)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_production_settings_with_a_real_secret_pass_the_deployment_check(tmp_path):
    result = manage_check(
        tmp_path,
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="example.com",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(64), "ALLOWED_HOSTS": "example.com"}
PROXY_HEADER = "SECURE_PROXY_SSL_HEADER = ('HTTP_X_FORWARDED_PROTO', 'https')"


def test_production_does_not_trust_a_forwarded_protocol_header_by_default(tmp_path):
    result = manage(tmp_path, "diffsettings", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert "SECURE_PROXY_SSL_HEADER" not in result.stdout
    assert "SECURE_SSL_REDIRECT = True" in result.stdout


def test_behind_a_proxy_the_forwarded_protocol_header_is_trusted_and_deploy_checks_pass(tmp_path):
    result = manage(tmp_path, "diffsettings", BEHIND_PROXY="1", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert PROXY_HEADER in result.stdout

    check = manage_check(
        tmp_path, "--deploy", "--fail-level", "WARNING", BEHIND_PROXY="1", **PRODUCTION
    )
    assert check.returncode == 0, check.stderr
    assert "no issues" in check.stdout


def test_import_limits_have_defaults_and_come_from_the_environment(tmp_path):
    defaults = manage(tmp_path, "diffsettings")
    assert defaults.returncode == 0, defaults.stderr
    for line in (
        "IMPORT_MAX_ROWS = 5000",
        "IMPORT_MAX_COLUMNS = 50",
        "IMPORT_MAX_CELLS = 100000",
        "IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = 52428800",
        "IMPORT_XLSX_MAX_PART_BYTES = 20971520",
        "IMPORT_XLSX_MAX_PARTS = 500",
        "IMPORT_XLSX_MAX_SHEETS = 50",
        "IMPORT_XLSX_MAX_RATIO = 100",
        "REQUEST_MAX_BYTES = 5242880",
        "DATA_UPLOAD_MAX_NUMBER_FILES = 1",
    ):
        assert line in defaults.stdout

    changed = manage(tmp_path, "diffsettings", IMPORT_MAX_BYTES="8388608", IMPORT_MAX_CELLS="20000")
    assert changed.returncode == 0, changed.stderr
    assert "IMPORT_MAX_CELLS = 20000" in changed.stdout
    assert "FILE_UPLOAD_MAX_MEMORY_SIZE = 8388608" in changed.stdout
    assert f"REQUEST_MAX_BYTES = {8388608 + 64 * 1024}" in changed.stdout


def test_sign_in_throttling_and_session_idle_time_have_defaults(tmp_path):
    result = manage(tmp_path, "diffsettings")
    assert result.returncode == 0, result.stderr
    assert "AXES_FAILURE_LIMIT = 5" in result.stdout
    assert "AXES_COOLOFF_TIME = datetime.timedelta(seconds=900)" in result.stdout
    assert "SESSION_COOKIE_AGE = 3600" in result.stdout


def test_sign_in_throttling_and_session_idle_time_come_from_the_environment(tmp_path):
    result = manage(
        tmp_path,
        "diffsettings",
        SIGN_IN_FAILURE_LIMIT="3",
        SIGN_IN_LOCKOUT_MINUTES="30",
        SESSION_IDLE_MINUTES="20",
    )
    assert result.returncode == 0, result.stderr
    assert "AXES_FAILURE_LIMIT = 3" in result.stdout
    assert "AXES_COOLOFF_TIME = datetime.timedelta(seconds=1800)" in result.stdout
    assert "SESSION_COOKIE_AGE = 1200" in result.stdout


def test_without_redis_the_web_server_and_the_worker_share_one_cache(tmp_path):
    """Two processes, as the web server and the Celery worker are: what one stores (the
    data version a write moves), the other reads."""
    key = f"shared-{secrets.token_hex(4)}"
    stored = manage(
        tmp_path, "shell", "-c", f"from django.core.cache import cache; cache.set({key!r}, 'moved')"
    )
    assert stored.returncode == 0, stored.stderr

    read = manage(
        tmp_path, "shell", "-c", f"from django.core.cache import cache; print(cache.get({key!r}))"
    )
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip().splitlines()[-1] == "moved"


def test_each_parallel_test_process_keeps_its_own_cache_keys(tmp_path):
    result = manage(tmp_path, "shell", "-c", "from django.conf import settings; "
                    "print(settings.CACHES['default']['KEY_PREFIX'], settings.PAGE_CACHE_SECONDS)",
                    PYTEST_XDIST_WORKER="gw7")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == ["gw7", "600"]


# --- the readers, in process ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1", "true", "True", "YES", "on", " on "])
def test_env_bool_reads_the_true_spellings(monkeypatch, value):
    monkeypatch.setenv("BEARING_TEST_FLAG", value)
    assert env_bool("BEARING_TEST_FLAG", default=False) is True


@pytest.mark.parametrize("value", ["0", "false", "FALSE", "no", "off"])
def test_env_bool_reads_the_false_spellings(monkeypatch, value):
    monkeypatch.setenv("BEARING_TEST_FLAG", value)
    assert env_bool("BEARING_TEST_FLAG", default=True) is False


@pytest.mark.parametrize("value", [None, "", "   "])
def test_readers_give_the_default_when_unset_or_blank(monkeypatch, value):
    for name in ("BEARING_TEST_FLAG", "BEARING_TEST_NUMBER", "BEARING_TEST_LIST"):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert env_bool("BEARING_TEST_FLAG", default=True) is True
    assert env_int("BEARING_TEST_NUMBER", 7, minimum=1, maximum=12) == 7
    assert env_list("BEARING_TEST_LIST", ["a"]) == ["a"]
    assert env_str("BEARING_TEST_LIST", "fallback") == "fallback"
    assert env_optional("BEARING_TEST_LIST") is None


def test_env_bool_refuses_anything_else_naming_the_variable(monkeypatch):
    monkeypatch.setenv("BEARING_TEST_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"BEARING_TEST_FLAG .*'maybe'"):
        env_bool("BEARING_TEST_FLAG", default=True)


def test_env_int_reads_a_whole_number_within_its_bounds(monkeypatch):
    monkeypatch.setenv("BEARING_TEST_NUMBER", " 4 ")
    assert env_int("BEARING_TEST_NUMBER", 1, minimum=1, maximum=12) == 4
    monkeypatch.setenv("BEARING_TEST_NUMBER", "12")
    assert env_int("BEARING_TEST_NUMBER", 1, minimum=1, maximum=12) == 12
    monkeypatch.setenv("BEARING_TEST_NUMBER", "-3")
    assert env_int("BEARING_TEST_NUMBER", 1) == -3


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("abc", "BEARING_TEST_NUMBER must be a whole number; got 'abc'"),
        ("4.5", "BEARING_TEST_NUMBER must be a whole number"),
        ("0", "BEARING_TEST_NUMBER must be between 1 and 12; got 0"),
        ("13", "BEARING_TEST_NUMBER must be between 1 and 12; got 13"),
    ],
)
def test_env_int_refuses_a_non_number_or_one_out_of_bounds(monkeypatch, value, message):
    monkeypatch.setenv("BEARING_TEST_NUMBER", value)
    with pytest.raises(ImproperlyConfigured) as error:
        env_int("BEARING_TEST_NUMBER", 1, minimum=1, maximum=12)
    assert message in str(error.value)


def test_env_int_with_one_bound_names_only_that_bound(monkeypatch):
    monkeypatch.setenv("BEARING_TEST_NUMBER", "-1")
    with pytest.raises(ImproperlyConfigured) as error:
        env_int("BEARING_TEST_NUMBER", 0, minimum=0)
    assert str(error.value) == "BEARING_TEST_NUMBER must be at least 0; got -1."
    monkeypatch.setenv("BEARING_TEST_NUMBER", "70000")
    with pytest.raises(ImproperlyConfigured) as error:
        env_int("BEARING_TEST_NUMBER", 1, maximum=65535)
    assert str(error.value) == "BEARING_TEST_NUMBER must be at most 65535; got 70000."


def test_env_list_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("BEARING_TEST_LIST", " example.com, www.example.com ,,")
    assert env_list("BEARING_TEST_LIST", []) == ["example.com", "www.example.com"]
