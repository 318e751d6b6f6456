"""Django project package: settings, URLs, ASGI/WSGI entry points, Celery app."""

from clinic_site.celery import app as celery_app

__all__ = ["celery_app"]
