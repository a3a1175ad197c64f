"""Forms of the notice pages: they parse input, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from incidents.form_fields import ZonedDateTimeField
from incidents.forms import ZonedForm
from notifications.models import Notice

GENERATED_PDF, UPLOAD = "pdf", "upload"


class NoticeVersionChoiceField(forms.ModelChoiceField):
    """A notice named with its current version's number."""

    def label_from_instance(self, obj: Notice) -> str:
        return _("Notice %(id)s (version %(number)s)") % {"id": obj.pk, "number": obj.current_version.number}


class RegulatorSubmissionForm(ZonedForm):
    """A filing with the authority of one obligation: when, how, its reference, and the file sent."""

    filed_at = ZonedDateTimeField(label=_("When it was filed"))
    channel = forms.CharField(
        label=_("How it was filed"), max_length=200,
        help_text=_("The authority's portal, the e-mail address or the postal address it went to."),
    )
    reference = forms.CharField(label=_("The authority's reference number"), max_length=200, required=False)
    notice = NoticeVersionChoiceField(label=_("Notice filed"), queryset=Notice.objects.none(), required=False,
                                      empty_label=_("None of these notices"))
    attachment = forms.ChoiceField(
        label=_("File that was filed"), widget=forms.RadioSelect, initial=GENERATED_PDF,
        choices=[(GENERATED_PDF, _("The notice's generated PDF (attached automatically)")),
                 (UPLOAD, _("A file I upload"))],
    )
    file = forms.FileField(label=_("Upload"), required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    reason = forms.CharField(
        label=_("Reason for the delay"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
        help_text=_("Required when the first filing is later than the deadline."),
    )

    def __init__(self, *args, notices, **kwargs):
        super().__init__(*args, **kwargs)
        notice = self.fields["notice"]
        assert isinstance(notice, NoticeVersionChoiceField)  # declared above; the choices are the caller's
        notice.queryset = notices
        first = notices.first()
        if first is not None:
            self.fields["notice"].initial = first.pk

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("attachment") == GENERATED_PDF and not data.get("notice"):
            self.add_error("notice", _("Choose the notice whose PDF was filed, or upload the file."))
        if data.get("attachment") == UPLOAD and not data.get("file"):
            self.add_error("file", _("Choose the file that was filed."))
        return data
