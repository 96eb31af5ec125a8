"""WSGI entry point for production servers (`./scripts/serve`, or `gunicorn microdegree.wsgi`).

Before serving it runs the system checks, like `manage.py runserver` does: a production
configuration that web/checks.py refuses (no explicit secrets, a public URL without https,
DEBUG for a public host, no mail server) stops the server instead of serving.
"""

import os

from django.core.management.base import BaseCommand
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microdegree.settings")
application = get_wsgi_application()
BaseCommand().check()  # raises SystemCheckError on an error, after printing every problem
