"""Dependencies point one way: core ← accounts ← strategy ← kpis ← actionplans ← scorecard.

A lower app never imports a higher one, names its URLs or loads its templates or template
tags (docs/architecture.md). This test reads the code and the templates as text:

- Python imports of every module of an app;
- URL names in `reverse(...)`, `redirect(...)`, `reverse_lazy(...)` and `{% url %}`, each
  traced to the app whose view it names;
- templates named in Python (`render`, `render_to_string`, `template_name`, inclusion tags)
  and in templates (`{% extends %}`, `{% include %}`), each owned by its folder's app
  (`templates/kpis/…` is kpis'); and the template tag libraries a template `{% load %}`s.

The project's frame, the templates at the root of templates/ (`_base.html`, the error pages)
and `registration/` (Django's sign-in pages), belongs to the project as a whole: every app's
pages extend it, and it may name any app's URLs, as the navigation must.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
ORDER = ("core", "accounts", "strategy", "kpis", "actionplans", "scorecard")
RANK = {app: rank for rank, app in enumerate(ORDER)}

URL_IN_PYTHON = re.compile(r"""\b(?:reverse|reverse_lazy|redirect)\(\s*["']([\w:-]+)["']""")
URL_IN_TEMPLATE = re.compile(r"""{%\s*url\s+["']([\w:-]+)["']""")
TEMPLATE_IN_PYTHON = re.compile(
    r"""\b(?:render|render_to_string|inclusion_tag|template_name\s*=|get_template)\(?"""
    r"""[^"'\n]*?["']([\w/.-]+\.html)"""
)
TEMPLATE_IN_TEMPLATE = re.compile(r"""{%\s*(?:extends|include)\s+["']([\w/.-]+\.html)""")
LOAD_IN_TEMPLATE = re.compile(r"""{%\s*load\s+([\w\s]+?)\s*%}""")


def _python_files(app: str) -> Iterator[Path]:
    yield from (ROOT / app).rglob("*.py")


def _templates(app: str) -> Iterator[Path]:
    yield from (ROOT / "templates" / app).rglob("*.html")


def _template_owner(name: str) -> str | None:
    """The app owning a template by its folder; None for the project's frame."""
    folder = name.split("/", 1)[0] if "/" in name else ""
    return folder if folder in RANK else None


def _url_owners() -> dict[str, str | None]:
    """Every URL name (with its namespace) → the app whose view it names (None: Django's)."""
    owners: dict[str, str | None] = {}

    def walk(patterns: list[URLPattern | URLResolver], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif pattern.name:
                owners[namespace + pattern.name] = _view_owner(namespace, pattern)

    walk(get_resolver().url_patterns, "")
    return owners


def _view_owner(namespace: str, pattern: URLPattern) -> str | None:
    if namespace == "admin:":
        # A model's admin pages are named after its app: actionplans:plan_new.
        label = next((app for app in RANK if pattern.name.startswith(f"{app}_")), None)
        return label
    package = pattern.lookup_str.split(".", 1)[0]
    return package if package in RANK else None


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".", 1)[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".", 1)[0]


def _tag_libraries() -> dict[str, str]:
    return {
        path.stem: app
        for app in ORDER
        for path in (ROOT / app / "templatetags").glob("*.py")
        if path.stem != "__init__"
    }


def _higher(app: str, other: str | None) -> bool:
    return other is not None and RANK[other] > RANK[app]


def test_the_order_names_every_app_of_the_project() -> None:
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "benchmarks"}
    }
    assert packages == set(ORDER)


@pytest.mark.parametrize("app", ORDER)
def test_an_app_imports_no_app_above_it(app: str) -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in _python_files(app)
        for line, module in _imports(path)
        if module in RANK and _higher(app, module)
    ]
    assert found == []


@pytest.mark.parametrize("app", ORDER)
def test_an_app_names_no_url_of_an_app_above_it(app: str) -> None:
    owners = _url_owners()
    found = []
    sources = [(path, URL_IN_PYTHON) for path in _python_files(app)]
    sources += [(path, URL_IN_TEMPLATE) for path in _templates(app)]
    for path, pattern in sources:
        for name in pattern.findall(path.read_text()):
            assert name in owners, f"{path.relative_to(ROOT)} names an unknown URL {name!r}"
            if _higher(app, owners[name]):
                found.append(f"{path.relative_to(ROOT)} names {name} of {owners[name]}")
    assert found == []


@pytest.mark.parametrize("app", ORDER)
def test_an_app_loads_no_template_or_tag_library_of_an_app_above_it(app: str) -> None:
    libraries = _tag_libraries()
    found = []
    for path in _python_files(app):
        for name in TEMPLATE_IN_PYTHON.findall(path.read_text()):
            if _higher(app, _template_owner(name)):
                found.append(f"{path.relative_to(ROOT)} loads {name}")
    for path in _templates(app):
        text = path.read_text()
        for name in TEMPLATE_IN_TEMPLATE.findall(text):
            if _higher(app, _template_owner(name)):
                found.append(f"{path.relative_to(ROOT)} loads {name}")
        for group in LOAD_IN_TEMPLATE.findall(text):
            for library in group.split():
                if _higher(app, libraries.get(library)):
                    found.append(f"{path.relative_to(ROOT)} loads the tags {library}")
    assert found == []


def test_the_checks_find_what_they_look_for() -> None:
    """The patterns match the forms the code uses, so an empty result means something."""
    assert URL_IN_PYTHON.findall('redirect("kpis:updates")') == ["kpis:updates"]
    assert URL_IN_TEMPLATE.findall("{% url 'kpi_definitions:kpis' plan.pk %}") == [
        "kpi_definitions:kpis"
    ]
    assert TEMPLATE_IN_PYTHON.findall('render(request, "kpis/kpi.html", {})') == ["kpis/kpi.html"]
    assert TEMPLATE_IN_PYTHON.findall('@register.inclusion_tag("scorecard/_x.html")') == [
        "scorecard/_x.html"
    ]
    assert TEMPLATE_IN_TEMPLATE.findall('{% include "kpis/_row.html" with a=b %}') == [
        "kpis/_row.html"
    ]
    assert LOAD_IN_TEMPLATE.findall("{% load static partials people %}") == [
        "static partials people"
    ]
    assert _url_owners()["kpi_definitions:kpis"] == "kpis"
    assert _url_owners()["actionplans:plan_new"] == "actionplans"
