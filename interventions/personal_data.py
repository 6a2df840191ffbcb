"""What the interventions app holds on a citizen: courses, visits with their notes, phases, pauses, housing."""

from django.utils.translation import gettext_lazy as _

from housingfirst import personal_data
from interventions.models import HousingStatus, Intervention, Pause, PhaseTransition, Visit


@personal_data.section(order=20)
def intervention_sections(citizen) -> list[personal_data.Section]:
    courses = Intervention.objects.filter(citizen=citizen).select_related(
        "worker", "coordinator", "chosen_worker", "previous"
    )
    visits = (
        Visit.objects.filter(intervention__citizen=citizen)
        .select_related("intervention", "worker")
        .prefetch_related("life_areas")
        .order_by("date", "start_time", "pk")
    )
    return [
        personal_data.model_section(
            "interventions",
            _("Interventions"),
            courses.order_by("start_date", "pk"),
            exclude=("citizen",),
            shown=("method", "status", "start_date", "end_date", "worker", "end_reason", "end_note"),
        ),
        personal_data.model_section(
            "visits",
            _("Visits and calls"),
            visits,
            extra={"life_areas": (_("life areas"), lambda v: [area.name for area in v.life_areas.all()])},
            shown=("date", "start_time", "duration_minutes", "kind", "worker", "life_areas", "note"),
        ),
        personal_data.model_section(
            "phase_transitions",
            _("Phases"),
            PhaseTransition.objects.filter(intervention__citizen=citizen).select_related("intervention", "recorded_by"),
            shown=("phase", "date", "note", "recorded_by"),
        ),
        personal_data.model_section(
            "pauses",
            _("Pauses"),
            Pause.objects.filter(intervention__citizen=citizen).select_related(
                "intervention", "recorded_by", "agreed_by"
            ),
            shown=("reason", "from_date", "to_date", "note"),
        ),
        personal_data.model_section(
            "housing_statuses",
            _("Housing status"),
            HousingStatus.objects.filter(intervention__citizen=citizen).select_related("intervention", "recorded_by"),
            shown=("checkpoint", "status", "note", "recorded_at"),
        ),
    ]


@personal_data.retention(order=20)
def kept_while_supported(citizens, cutoff):
    """Kept while an intervention is open, and until the retention period after the last one ended."""
    from django.db.models import Exists, OuterRef, Q

    recent = Intervention.objects.filter(citizen=OuterRef("pk")).filter(
        ~Q(status=Intervention.Status.ENDED) | Q(end_date__isnull=True) | Q(end_date__gt=cutoff)
    )
    return citizens.exclude(Exists(recent))


@personal_data.eraser(order=20)
def erase_notes(citizen) -> list:
    """Every free-text note on the citizen's courses, visits, phases, pauses and housing statuses, also in
    their history. Queryset updates on purpose: the months stay locked for everything but the words."""
    courses = Intervention.objects.filter(citizen=citizen)
    course_ids = list(courses.values_list("pk", flat=True))
    courses.update(end_note="", choice_rejection_reason="")
    Intervention.history.filter(citizen_id=citizen.pk).update(end_note="", choice_rejection_reason="")
    for model in (Visit, PhaseTransition, Pause, HousingStatus):
        model.objects.filter(intervention_id__in=course_ids).update(note="")
        model.history.filter(intervention_id__in=course_ids).update(note="")
    return []
