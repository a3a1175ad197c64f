"""What changed between two versions of a notice, element by element, for legal's review."""

from __future__ import annotations

import difflib

from notifications.notices.requirements import ELEMENT_CODES, element_label


def version_diff(*, old, new) -> dict:
    """Return ``{"from", "to", "changes": [{"language", "code", "label", "diff"}]}``.

    ``diff`` is a unified diff of the element's lines (``-`` removed, ``+`` added);
    elements that did not change are left out.
    """
    changes = []
    for language in sorted(set(old.elements) | set(new.elements)):
        for code in ELEMENT_CODES:
            before, after = old.text(language, code), new.text(language, code)
            if before == after:
                continue
            lines = difflib.unified_diff(
                before.splitlines(), after.splitlines(), fromfile=f"v{old.number}", tofile=f"v{new.number}",
                lineterm="",
            )
            changes.append({"language": language, "code": code, "label": element_label(code),
                            "diff": "\n".join(lines)})
    return {
        "from": old.number, "to": new.number, "from_author": old.author.username,
        "to_author": new.author.username, "changes": changes,
    }
