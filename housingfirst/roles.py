"""The three roles, as auth groups with permissions.

Groups are (re)synchronised after every migrate, so a permission added to a model later reaches
the role without a hand-written data migration.
"""

from django.contrib.auth.models import Group, Permission

SUPPORT_WORKER = "Bostøttemedarbejder"
TEAM_LEAD = "Teamleder"
ADMINISTRATOR = "Administrator"
WORKSHOP_LEADER = "Værkstedsleder"
ROLES = (SUPPORT_WORKER, TEAM_LEAD, ADMINISTRATOR, WORKSHOP_LEADER)

# "app_label.codename"; a name that does not exist (yet) is skipped.
_WORKER = [
    "citizens.view_citizen",
    "citizens.view_actionplan",
    "citizens.view_consent",
    "interventions.view_intervention",
    "interventions.change_intervention",
    "interventions.view_visit",
    "interventions.add_visit",
    "interventions.change_visit",
    "interventions.record_phase",
    "agreements.view_agreement",
    "agenda.view_booking",
    "agenda.add_booking",
    "agenda.change_booking",
]
_LEAD = _WORKER + [
    "citizens.add_citizen",
    "citizens.change_citizen",
    "citizens.add_actionplan",
    "citizens.change_actionplan",
    "citizens.add_consent",
    "citizens.change_consent",
    "citizens.view_full_cpr",
    "citizens.export_citizen_list",
    "interventions.add_intervention",
    "interventions.assign_worker",
    "interventions.view_capacity",
]
_ADMIN = _LEAD + [
    "housingfirst.change_provider",
    "housingfirst.view_provider",
    "housingfirst.add_municipalityean",
    "housingfirst.change_municipalityean",
    "housingfirst.delete_municipalityean",
    "housingfirst.add_caseworker",
    "housingfirst.change_caseworker",
    "housingfirst.view_municipality",
    "housingfirst.change_municipality",
    "citizens.delete_actionplan",
    "citizens.delete_consent",
    "citizens.view_auditlog",
    "citizens.export_personal_data",
    "citizens.decide_erasure",
    "citizens.add_lifearea",
    "citizens.change_lifearea",
    "citizens.view_goal",
    "citizens.view_cpraccess",
    "citizens.add_goal",
    "citizens.change_goal",
    "citizens.delete_goal",
    "interventions.change_phasetemplate",
    "agreements.add_agreement",
    "agreements.change_agreement",
    "agreements.issue_agreement",
    "agreements.change_agreementtext",
    "invoicing.view_invoice",
    "invoicing.issue_invoice",
    "invoicing.add_rate",
    "invoicing.change_rate",
]
# A workshop leader logs the hours of the workshops they lead (§103), and sees no case records.
_WORKSHOP = [
    "workshops.view_workshop",
    "workshops.log_workshop_hours",
]
_ADMIN += _WORKSHOP + [
    "workshops.add_workshop",
    "workshops.change_workshop",
    "workshops.pay_work_bonus",
    "workshops.view_workbonusrate",
    "workshops.add_workbonusrate",
    "workshops.view_labourmarketcontributionrate",
    "workshops.add_labourmarketcontributionrate",
    "workshops.view_workbonusmonth",
]
ROLE_PERMISSIONS = {SUPPORT_WORKER: _WORKER, TEAM_LEAD: _LEAD, ADMINISTRATOR: _ADMIN, WORKSHOP_LEADER: _WORKSHOP}


def sync_role_groups(**kwargs) -> None:
    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted = []
        for name in names:
            app_label, codename = name.split(".", 1)
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
