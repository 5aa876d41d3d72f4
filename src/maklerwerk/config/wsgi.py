import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maklerwerk.config.settings")
application = get_wsgi_application()

from maklerwerk.core.checks import refuse_to_serve_without_mail  # noqa: E402  (needs the apps loaded)

refuse_to_serve_without_mail()
