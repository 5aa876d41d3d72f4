"""Strings Django itself shows but whose German translation its own catalogue lacks (6.1)."""

from django.utils.translation import gettext_noop

DJANGO_STRINGS = [
    gettext_noop("- Select an option -"),  # empty choice of select fields
]
