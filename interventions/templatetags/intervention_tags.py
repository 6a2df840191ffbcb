from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.filter
def citizen_url(citizen) -> str:
    """The citizen page, or the citizen's visit list where the citizens app has no page (yet)."""
    try:
        return reverse("citizens:detail", args=[citizen.pk])
    except NoReverseMatch:
        return reverse("interventions:citizen_visits", args=[citizen.pk])


METHOD_COLOURS = {"CTI": "primary", "ICM": "success", "ACT": "warning"}


@register.inclusion_tag("interventions/partials/method_badge.html")
def method_badge(method):
    return {"method": method, "colour": METHOD_COLOURS.get(method, "secondary")}
