"""WSGI entry of the peer, for gunicorn in the load test."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer_project.settings")
application = get_wsgi_application()
