"""What a serving process does once Django is loaded, before its first request."""

from __future__ import annotations

import gc

from django.urls import get_resolver


def freeze_startup_objects() -> None:
    """Leave what start-up loaded (modules, models, the URL patterns) out of the garbage
    collector's full passes: it lives as long as the process, and each pass walked all of it.

    A page that builds thousands of objects (the dashboard at 5,000 KPIs) sets off such a
    pass about once per request; walking start-up's objects each time was a third of that
    page's time. Objects created later are collected as before.
    """
    _ = get_resolver().url_patterns  # the URL configuration, otherwise loaded on first request
    gc.collect()
    gc.freeze()
