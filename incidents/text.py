"""What counts as clean text wherever people type or import it: no NUL byte, no lone surrogate,
no control character other than tab and line breaks. Pure; used by the importer and the notice editor."""

from __future__ import annotations

import re

from django.utils.translation import gettext_noop

# Written in English where they are kept; the pages translate them (notifications.recipients.reasons).
NUL_BYTE = gettext_noop("contains a NUL byte")
LONE_SURROGATE = gettext_noop("contains a lone surrogate, which is not text")
CONTROL_CHARACTER = gettext_noop("contains a control character (U+%(code)s)")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Control characters (C0, DEL, C1) except tab, line feed and carriage return; NUL is named on its own.
_CONTROL = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def text_problem(value: str) -> str:
    """Why ``value`` is not clean text (a NUL byte, a lone surrogate, a control character
    other than tab and line breaks), or "" when it is."""
    if "\x00" in value:
        return NUL_BYTE
    if _SURROGATE.search(value):
        return LONE_SURROGATE
    control = _CONTROL.search(value)
    if control:
        return CONTROL_CHARACTER % {"code": f"{ord(control.group()):04X}"}
    return ""
