from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.forms import model_choice_field
from maklerwerk.inquiries.models import InquiryRule, InquirySettings, Mailbox, ProcessDefinition, ProcessStep
from maklerwerk.inquiries.processes import STEP_DEFAULTS
from maklerwerk.mailing.models import MailTemplate
from maklerwerk.properties.choices import MarketingType, ObjectKind
from maklerwerk.properties.models import Property, PropertyContact


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        label=_("password"), widget=forms.PasswordInput(render_value=False), required=True
    )

    class Meta:
        model = Mailbox
        fields = ["name", "host", "port", "security", "username", "folder", "action", "move_to", "main_user"]

    def __init__(self, *args: Any, office: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if office is not None:
            model_choice_field(self, "main_user").queryset = office.users.filter(is_active=True)


class ConfirmForm(forms.Form):
    salutation = forms.ChoiceField(
        label=_("salutation"),
        choices=[("", "–"), ("frau", _("Ms")), ("herr", _("Mr")), ("divers", _("Diverse"))],
        required=False,
    )
    first_name = forms.CharField(label=_("first name"), max_length=100)
    last_name = forms.CharField(label=_("last name"), max_length=100)
    street = forms.CharField(label=_("street"), max_length=200)
    house_number = forms.CharField(label=_("house number"), max_length=20)
    postal_code = forms.CharField(label=_("postal code"), max_length=10)
    city = forms.CharField(label=_("city"), max_length=100)
    phone = forms.CharField(label=_("phone"), max_length=60, required=False)
    privacy = forms.BooleanField(
        label=_("I agree that my details are stored to answer my inquiry."), required=True
    )


class InquirySettingsForm(forms.ModelForm):
    class Meta:
        model = InquirySettings
        fields = ["double_opt_in", "confirmation_days", "send_expose", "expose_template"]

    def __init__(self, *args: Any, office_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        model_choice_field(self, "expose_template").queryset = MailTemplate.objects.filter(
            office_id=office_id
        )
        self.fields["confirmation_days"].validators.append(MinValueValidator(1))


class InquiryRuleForm(forms.ModelForm):
    class Meta:
        model = InquiryRule
        fields = ["name", "source", "property", "object_kind", "marketing_type", "keyword", "action", "order"]

    object_kind = forms.ChoiceField(
        label=_("object kind"), required=False, choices=[("", "–"), *ObjectKind.choices]
    )
    marketing_type = forms.ChoiceField(
        label=_("marketing type"), required=False, choices=[("", "–"), *MarketingType.choices]
    )

    def __init__(self, *args: Any, office_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        model_choice_field(self, "property").queryset = Property.objects.filter(office_id=office_id).order_by(
            "external_id"
        )
        model_choice_field(self, "property").label_from_instance = lambda p: (  # type: ignore[method-assign, assignment]  # per form
            f"{p.external_id} {p.title}".strip()
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        criteria = ("source", "property", "object_kind", "marketing_type", "keyword")
        if not any(data.get(c) for c in criteria):
            raise forms.ValidationError(
                _("Give at least one criterion (portal, property, kind, marketing type or keyword).")
            )
        return data


class ProcessForm(forms.Form):
    """A follow-up process: its name, what starts it, on or off (the steps are `StepFormSet`)."""

    name = forms.CharField(label=_("name"), max_length=150)
    trigger = forms.ChoiceField(label=_("starts when"), choices=ProcessDefinition.Trigger.choices)
    active = forms.BooleanField(label=_("active"), required=False, initial=True)


class StepForm(forms.Form):
    """One step; only the parameters of its kind count (the page shows just those), the process
    service checks them."""

    kind = forms.ChoiceField(label=_("step"), choices=[("", "–"), *ProcessStep.Kind.choices], required=False)
    days = forms.CharField(label=_("days"), max_length=10, required=False)
    hours = forms.CharField(label=_("hours"), max_length=10, required=False)
    # data-default: the shipped text a new mail or task step starts with (processes.STEP_DEFAULTS)
    subject = forms.CharField(
        label=_("subject"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"data-default": STEP_DEFAULTS["subject"]}),
    )
    body = forms.CharField(
        label=_("text"),
        widget=forms.Textarea(attrs={"rows": 6, "data-default": STEP_DEFAULTS["body"]}),
        required=False,
    )
    title = forms.CharField(
        label=_("task title"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"data-default": STEP_DEFAULTS["title"]}),
    )
    due_days = forms.CharField(label=_("due after (days)"), max_length=10, required=False)
    status = forms.ChoiceField(
        label=_("interest status"),
        choices=[("", "–"), *PropertyContact.InterestStatus.choices],
        required=False,
    )
    tag = forms.CharField(label=_("tag"), max_length=100, required=False)


StepFormSet = forms.formset_factory(StepForm, extra=0, can_order=True, can_delete=True)
