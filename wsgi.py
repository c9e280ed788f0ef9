"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi run``."""

from issuer import create_app

app = create_app()
