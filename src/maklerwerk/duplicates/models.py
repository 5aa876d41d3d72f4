from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class MatchProfile(models.Model):
    """The normalised values of one contact that scoring needs, so a check reads one table."""

    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    first = models.CharField(max_length=100, blank=True)
    last = models.CharField(max_length=100, blank=True)
    first_ph = models.CharField(max_length=100, blank=True)
    last_ph = models.CharField(max_length=100, blank=True)
    birth = models.CharField(max_length=10, blank=True)
    emails = models.TextField(blank=True)  # space-separated, normalised
    phones = models.TextField(blank=True)  # space-separated, E.164
    street = models.CharField(max_length=100, blank=True)
    house_number = models.CharField(max_length=20, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    city = models.CharField(max_length=100, blank=True)
    company = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"profile of contact {self.contact_id}"


class MatchKey(models.Model):
    """A blocking key of a contact ("e:max@example.de", "n:657:26", ...); candidates share a key."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=150)

    class Meta:
        indexes = [models.Index(fields=["office", "key"], name="matchkey_office_key")]

    def __str__(self) -> str:
        return self.key


class NameFrequency(models.Model):
    """How many of the office's contacts have this name / name sound / PLZ ("#" counts all contacts)."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=150)
    occurrences = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["office", "key"], name="namefrequency_office_key")]

    def __str__(self) -> str:
        return f"{self.key}: {self.occurrences}"


class IntakeSource(models.TextChoices):
    """Where a new contact comes from (`contacts.intake.contact_intake`); each has its duplicate rule."""

    FORM = "form", _("Contact form")
    API = "api", _("API")
    IMPORT = "import", _("vCard import")
    INQUIRY = "inquiry", _("Inquiry")
    DAV_SYNC = "dav_sync", _("Address book sync")


class IntakePolicy(models.TextChoices):
    """What happens to a new contact when the duplicate check finds candidates.

    Attaching to a merely *possible* duplicate is no policy: a wrong attach mixes two people's
    data silently, so a possible duplicate always ends with a person deciding.
    """

    # any candidate: nothing is created, the candidates are shown for a decision (form, inquiry task)
    ASK = "ask", _("Ask")
    # a certain duplicate is refused with its candidates; otherwise created (API: 409)
    REFUSE_CERTAIN = "refuse_certain", _("Refuse certain ones")
    # a certain duplicate gets the new e-mails/phones; a possible one is created and listed for review
    ATTACH_CERTAIN = "attach_certain", _("Attach to certain ones")
    # a certain duplicate is skipped; a possible one is created and listed for review (import)
    REVIEW_POSSIBLE = "review_possible", _("Review possible ones")


# The policies an office may choose per source; the form always asks and the API always refuses
# (its client decides with allow_duplicate), so they have no setting.
POLICY_CHOICES: dict[str, list[str]] = {
    IntakeSource.IMPORT: [IntakePolicy.REVIEW_POSSIBLE, IntakePolicy.ASK],
    IntakeSource.INQUIRY: [IntakePolicy.ASK, IntakePolicy.ATTACH_CERTAIN],
}


def _choices(source: str) -> list[tuple[str, str | Promise]]:
    return [(p, IntakePolicy(p).label) for p in POLICY_CHOICES[source]]


class DuplicateSettings(models.Model):
    """The office's two thresholds: from `certain` on a match is "sicher Dublette", from `possible` on
    "mögliche Dublette"; and the intake policy of the sources where the office chooses one."""

    office = models.OneToOneField("accounts.Office", on_delete=models.CASCADE, related_name="+")
    certain_threshold = models.FloatField(
        _("threshold 'certain duplicate'"),
        default=0.9,
        validators=[MinValueValidator(0.05), MaxValueValidator(1.0)],
        help_text=_("From this score on (0 to 1), a match counts as a certain duplicate."),
    )
    possible_threshold = models.FloatField(
        _("threshold 'possible duplicate'"),
        default=0.5,
        validators=[MinValueValidator(0.05), MaxValueValidator(1.0)],
        help_text=_("From this score on (0 to 1), a match is shown as a possible duplicate."),
    )
    import_policy = models.CharField(
        _("on duplicates in a vCard import"),
        max_length=20,
        choices=_choices(IntakeSource.IMPORT),
        default=IntakePolicy.REVIEW_POSSIBLE,
        help_text=_(
            "Review possible ones: certain duplicates are skipped, possible ones imported and listed "
            "on this page for review. Ask: every card with a candidate is skipped."
        ),
    )
    inquiry_policy = models.CharField(
        _("on duplicates in an inquiry"),
        max_length=20,
        choices=_choices(IntakeSource.INQUIRY),
        default=IntakePolicy.ASK,
        help_text=_(
            "Ask: the inquiry stops and the agent gets a task. Attach to certain ones: the inquiry's "
            "e-mail address goes to the existing contact; a merely possible duplicate gets a new "
            "contact, listed on this page for review."
        ),
    )

    class Meta:
        verbose_name = _("duplicate settings")
        verbose_name_plural = _("duplicate settings")

    def __str__(self) -> str:
        return f"{self.certain_threshold} / {self.possible_threshold}"

    def clean(self) -> None:
        if self.possible_threshold > self.certain_threshold:
            raise ValidationError(
                {
                    "possible_threshold": _(
                        "The threshold for possible duplicates must not be above "
                        "the one for certain duplicates."
                    )
                }
            )


class DuplicatePair(models.Model):
    """Two contacts the last search over the whole office found similar (the Dubletten page)."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    contact_a = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    contact_b = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    codes = models.JSONField(default=list)
    similarities = models.JSONField(default=dict)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["office", "-score"], name="duplicatepair_office_score")]

    def __str__(self) -> str:
        return f"{self.contact_a_id} ~ {self.contact_b_id} ({self.score:.2f})"


class NotDuplicate(models.Model):
    """A user decided these two contacts are different people; the search no longer lists them."""

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    contact_a = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    contact_b = models.ForeignKey("contacts.Contact", on_delete=models.CASCADE, related_name="+")
    decided_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["contact_a", "contact_b"], name="notduplicate_pair")]

    def __str__(self) -> str:
        return f"{self.contact_a_id} ≠ {self.contact_b_id}"


class MergeRecord(models.Model):
    """What one merge did, kept so "Rückgängig machen" can put both contacts back exactly.

    `merged_contact` is the deleted contact's full row (serialized), `restore` the other rows the
    merge deleted (a role both had, links between the two, e-mails kept once), `moved` and
    `generic` the ids of rows re-pointed to the survivor per model and field, `updated` the old
    values of rows the merge changed in place (positions).
    """

    office = models.ForeignKey("accounts.Office", on_delete=models.CASCADE, related_name="+")
    # A plain id, not a foreign key: when the survivor is later merged into another contact and that
    # merge is undone, the survivor comes back with the same id and this merge is undoable again.
    survivor_contact_id = models.PositiveBigIntegerField(db_index=True)
    survivor_label = models.CharField(_("remaining contact"), max_length=300)
    merged_contact_id = models.PositiveBigIntegerField()
    merged_label = models.CharField(_("merged contact"), max_length=300)
    merged_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
    merged_at = models.DateTimeField(_("merged at"), default=timezone.now)
    survivor_before = models.JSONField(default=dict)
    survivor_updated_at = models.DateTimeField(null=True)
    merged_contact = models.JSONField(default=dict)
    restore = models.JSONField(default=list)
    moved = models.JSONField(default=list)
    generic = models.JSONField(default=list)
    updated = models.JSONField(default=list)
    field_changes = models.JSONField(default=list)  # [{"field", "kept", "dropped"}] for the summary page
    # The personal data above is cleared once the merge can no longer be undone (or was undone).
    purged = models.BooleanField(default=False)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("merge")
        verbose_name_plural = _("merges")
        ordering = ["-merged_at", "-id"]
        indexes = [models.Index(fields=["office", "-merged_at"], name="mergerecord_office_at")]

    def __str__(self) -> str:
        return f"{self.merged_label} → {self.survivor_label}"
