"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi …``."""
from portal import create_app

app = create_app()
