import os

from django.core.wsgi import get_wsgi_application

from scorecard.startup import freeze_startup_objects

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scorecard.settings")
application = get_wsgi_application()
freeze_startup_objects()
