"""Template tags of the cabinet's records: audit records in the patient's words."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

register = template.Library()

OBJECTS = {
    "lab_reports": gettext_lazy("list of lab results"),
    "lab_report": gettext_lazy("lab report"),
    "analyte_history": gettext_lazy("history of an analyte"),
    "medical_card": gettext_lazy("medical card"),
    "visit": gettext_lazy("visit"),
    "prescriptions": gettext_lazy("prescriptions"),
    "prescription": gettext_lazy("prescription"),
    "documents": gettext_lazy("list of documents"),
    "document": gettext_lazy("document"),
}
ROLES = {
    "attending": gettext_lazy("attending doctor"),
    "head": gettext_lazy("head of department"),
    "registrar": gettext_lazy("registrar"),
}


@register.simple_tag
def audit_actor(record, patient) -> str:
    if record.actor_id is None:
        return _("The clinic's system (import from the MIS)")
    if record.actor_id == patient.account_id:
        return _("You")
    if record.on_behalf_of_id is not None:
        return _("%(name)s (legal representative)") % {"name": record.actor_name}
    role = ROLES.get(record.actor_role)
    return f"{record.actor_name} ({role})" if role else record.actor_name


@register.simple_tag
def audit_object(record) -> str:
    return str(OBJECTS.get(record.object_type, record.object_type))
