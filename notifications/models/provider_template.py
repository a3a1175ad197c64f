"""SMS templates registered with a mainland Chinese provider (模板), as the organisation registered them.

Alibaba Cloud and Tencent Cloud deliver only text they approved in advance:
fixed words with variables (Alibaba ``${name}``, Tencent ``{1}``, ``{2}``). A
``ProviderTemplate`` records that text, the provider's code or id for it, its
language, whether the provider approved it yet, and what fills each variable:
the incident reference, the person's link key, or a short date. The registered
text carries the fixed start of the personal link (``BREACHLINE_BASE_URL/n/``)
right before the link variable, so only the person's key varies.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = ["PARAMETER_KINDS", "ProviderTemplate", "TemplateProvider", "TemplateStatus"]

# What may fill a variable: the incident's reference, the person's link key (the part of the
# personal link after BREACHLINE_BASE_URL/n/), a short date.
PARAMETER_KINDS = ("reference", "link", "date")
_VARIABLES = {"sms_aliyun": re.compile(r"\$\{(\w+)\}"), "sms_tencent": re.compile(r"\{(\d+)\}")}
# Longest value a variable may take. Alibaba: 1 to 35 characters in a notification template's
# variable; its link-type variable (链接参数) is registered as such and not counted here.
# Tencent: no limit for organisation-verified accounts (12 for individual accounts).
MAX_VARIABLE_LENGTH = {"sms_aliyun": 35, "sms_tencent": None}


class TemplateProvider(models.TextChoices):
    TENCENT = "sms_tencent", gettext_lazy("Tencent Cloud SMS")
    ALIYUN = "sms_aliyun", gettext_lazy("Alibaba Cloud SMS")


class TemplateStatus(models.TextChoices):
    APPROVED = "approved", gettext_lazy("Approved by the provider")
    PENDING = "pending", gettext_lazy("Pending the provider's review")


class ProviderTemplate(models.Model):
    provider = models.CharField(gettext_lazy("provider"), max_length=20, choices=TemplateProvider.choices)
    code = models.CharField(
        gettext_lazy("template code or id"),
        max_length=64,
        help_text=gettext_lazy("Alibaba's TemplateCode (SMS_...) or Tencent's TemplateId."),
    )
    language = models.CharField(gettext_lazy("language"), max_length=10, choices=settings.LANGUAGES)
    text = models.TextField(
        gettext_lazy("registered text"),
        help_text=gettext_lazy(
            "Exactly as registered, without the signature: ${name} (Alibaba) or {1} (Tencent)."
        ),
    )
    parameters = models.JSONField(
        gettext_lazy("parameters"),
        default=dict,
        help_text=gettext_lazy(
            'What fills each variable: {"ref": "reference", "key": "link", "day": "date"}.'
        ),
    )
    status = models.CharField(
        gettext_lazy("status"), max_length=10, choices=TemplateStatus.choices, default=TemplateStatus.PENDING
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = gettext_lazy("provider SMS template")
        ordering = ["provider", "language", "code"]
        constraints = [models.UniqueConstraint(fields=["provider", "code"], name="provider_template_code")]

    def __str__(self) -> str:
        return f"{self.get_provider_display()} {self.code} ({self.language})"

    def variables(self) -> list[str]:
        """The variable names in the registered text, in order of first appearance."""
        found = _VARIABLES[self.provider].findall(self.text) if self.provider in _VARIABLES else []
        return list(dict.fromkeys(found))

    def problems(self) -> list[str]:
        """Why this registration cannot carry a notice: variables nothing fills, no personal link."""
        problems = []
        variables = self.variables()
        for variable in variables:
            kind = self.parameters.get(variable)
            if kind not in PARAMETER_KINDS:
                problems.append(
                    _("Variable %(variable)s says it is filled by %(kind)s; use one of: %(kinds)s.")
                    % {"variable": variable, "kind": kind or "-", "kinds": ", ".join(PARAMETER_KINDS)}
                )
        links = [variable for variable in variables if self.parameters.get(variable) == "link"]
        prefix = link_prefix()
        marker = {"sms_aliyun": "${%s}", "sms_tencent": "{%s}"}.get(self.provider, "%s")
        if len(links) != 1 or f"{prefix}{marker % links[0]}" not in self.text:
            problems.append(
                _("The text must carry the personal link once: %(prefix)s followed by the link variable.")
                % {"prefix": prefix}
            )
        return problems

    def clean(self) -> None:
        problems = self.problems()
        if problems:
            raise ValidationError({"text": problems})

    def fill(self, values: dict[str, str]) -> tuple[dict[str, str], str]:
        """(the provider's parameters by variable, the text the phone shows) for ``values`` by kind."""
        params = {variable: values[self.parameters[variable]] for variable in self.variables()}
        text = _VARIABLES[self.provider].sub(lambda match: params[match[1]], self.text)
        return params, text

    def too_long(self, values: dict[str, str]) -> list[str]:
        """The kinds whose value is longer than the provider allows in one variable."""
        limit = MAX_VARIABLE_LENGTH.get(self.provider)
        if limit is None:
            return []
        kinds = {self.parameters[variable] for variable in self.variables()} - {"link"}
        return sorted(kind for kind in kinds if len(values.get(kind, "")) > limit)


def link_prefix() -> str:
    """The fixed start of every personal link; the registered text carries it, the variable the key."""
    return f"{settings.BREACHLINE_BASE_URL}/n/"
