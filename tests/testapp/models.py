from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models


class Viewing(models.Model):
    """A later app's row with a plain foreign key to the contact."""

    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    note = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.note


class LoyaltyCard(models.Model):
    """One per contact (one-to-one)."""

    contact = models.OneToOneField("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    number = models.CharField(max_length=20)

    def __str__(self) -> str:
        return self.number


class Newsletter(models.Model):
    """Many contacts per newsletter and many newsletters per contact (auto-created through table)."""

    name = models.CharField(max_length=50)
    subscribers = models.ManyToManyField("contacts.Contact", related_name="+")

    def __str__(self) -> str:
        return self.name


class Sticker(models.Model):
    """Attached to any object by content type and id (a generic foreign key)."""

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    text = models.CharField(max_length=50)

    def __str__(self) -> str:
        return self.text
