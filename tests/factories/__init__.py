"""Factories for every app, one module each; import from here: `from tests.factories import CitizenFactory`."""

from tests.factories.agenda import *  # noqa: F403
from tests.factories.agreements import *  # noqa: F403
from tests.factories.citizens import *  # noqa: F403
from tests.factories.core import *  # noqa: F403
from tests.factories.interventions import *  # noqa: F403
from tests.factories.invoicing import *  # noqa: F403
from tests.factories.workshops import *  # noqa: F403
