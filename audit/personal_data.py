"""The audit trail's part of a citizen's access export: who changed what on the citizen's records, and when."""

from django.utils.translation import gettext as _

from audit import selectors
from housingfirst import personal_data

CHUNK = 500


@personal_data.section(order=90)
def change_sections(citizen) -> list[personal_data.Section]:
    entries = selectors.audit_entries(selectors.Filters(citizen_id=citizen.pk, kind=selectors.Kind.CHANGE))
    rows = []
    offset = 0
    while chunk := list(entries[offset : offset + CHUNK]):
        for entry in selectors.entries_for(chunk):
            rows.append(
                {
                    "at": entry.at,
                    "user": str(entry.user or ""),
                    "action": entry.action,
                    "subject": entry.subject,
                    "changes": [f"{name}: {old} → {new}" for name, old, new in entry.changes],
                }
            )
        offset += CHUNK
    rows.reverse()  # oldest first, like the other sections
    labels = {"at": _("Time"), "user": _("User"), "action": _("Action"), "subject": _("What"), "changes": _("Changes")}
    return [personal_data.Section(key="change_log", title=_("Changes to the records"), rows=rows, labels=labels)]
