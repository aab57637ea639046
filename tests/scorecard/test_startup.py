"""The serving process leaves what start-up loaded out of the garbage collector's passes."""

import gc
import importlib

import scorecard.asgi
import scorecard.wsgi


def test_the_served_apps_freeze_what_start_up_loaded():
    for module in (scorecard.wsgi, scorecard.asgi):
        gc.unfreeze()
        try:
            importlib.reload(module)
            assert gc.get_freeze_count() > 10_000
        finally:
            gc.unfreeze()
