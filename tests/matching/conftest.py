"""Fixtures of matching: the contact, property and profile factories of the properties tests."""

from tests.properties.conftest import (  # noqa: F401  (fixtures, found by pytest by name)
    contact,
    make_profile,
    make_property,
    other_contact,
)
