"""Pages made of panels that apps contribute, so a page in one app needs no import of another.

Two places take panels:
- `dashboard`: the start page. A panel is `panel(request) -> (template_name, context) | None`.
- `citizen_page`: the citizen overview. A panel is `panel(request, citizen) -> (template_name, context) | None`.
- `intervention_page`: an intervention's page. A panel is `panel(request, intervention) -> ... | None`.

- `citizen_rows`: the citizen list and its export. A hook is `hook(citizens)`: it adds attributes to a
  page of citizens in place (e.g. `phase_label`), in a fixed number of queries whatever the page's length.

None hides the panel. Apps register theirs in `AppConfig.ready()`, e.g.
`panels.citizen_page.register(intervention_panel, order=20)`; lower orders come first.
"""

from collections.abc import Callable


class PanelRegistry:
    def __init__(self):
        self._panels: list[tuple[int, Callable]] = []

    def register(self, panel: Callable, *, order: int = 50) -> None:
        if all(existing is not panel for _order, existing in self._panels):
            self._panels.append((order, panel))
            self._panels.sort(key=lambda item: item[0])

    def collect(self, *args) -> list[tuple[str, dict]]:
        shown = []
        for _order, panel in self._panels:
            result = panel(*args)
            if result:
                shown.append(result)
        return shown


dashboard = PanelRegistry()
citizen_page = PanelRegistry()
intervention_page = PanelRegistry()


class RowHooks:
    def __init__(self):
        self._hooks: list[Callable] = []

    def register(self, hook: Callable) -> None:
        if hook not in self._hooks:
            self._hooks.append(hook)

    def apply(self, rows) -> list:
        rows = list(rows)
        for hook in self._hooks:
            hook(rows)
        return rows


citizen_rows = RowHooks()
