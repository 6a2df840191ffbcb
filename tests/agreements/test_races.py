import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from agreements import services
from agreements.models import Agreement


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_administrators_issue_the_same_draft_once(intervention, administrator):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    draft = services.create_draft(intervention=intervention, user=administrator)
    barrier = threading.Barrier(2)
    outcomes = []

    def issue():
        try:
            barrier.wait()
            services.issue_agreement(agreement=draft, user=administrator)
            outcomes.append("issued")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        finally:
            connection.close()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["Aftalen er allerede udstedt; en ændring kræver en ny version.", "issued"]
    agreement = Agreement.objects.get(pk=draft.pk)
    assert agreement.status == "issued"
    assert agreement.history.filter(history_change_reason="issued").count() == 1
