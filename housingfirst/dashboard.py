"""The dashboard is made of panels that each app registers, so the core knows no app's models.

A panel is a function `panel(request) -> (template_name, context) | None`; None hides it.
Apps register theirs in `AppConfig.ready()`: `dashboard.register(panel, order=20)`.
"""

from collections.abc import Callable

_panels: list[tuple[int, Callable]] = []


def register(panel: Callable, *, order: int = 50) -> None:
    if all(existing is not panel for _order, existing in _panels):
        _panels.append((order, panel))
        _panels.sort(key=lambda item: item[0])


def panels_for(request) -> list[tuple[str, dict]]:
    shown = []
    for _order, panel in _panels:
        result = panel(request)
        if result:
            shown.append(result)
    return shown
