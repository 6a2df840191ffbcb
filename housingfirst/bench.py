"""The benchmark's anchor and its page list (`manage.py bench_pages`, README "Benchmarks").

Each page is timed against the anchor, a bare Django view in the same process that renders 50 rows from
one query: a ratio to it says how much the page costs beyond what Django itself costs on this machine,
so figures from a loaded laptop and a quiet server can be compared.
"""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpResponse
from django.template import engines
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from housingfirst.models import Municipality

_ANCHOR = engines["django"].from_string(
    "<!doctype html><title>anchor</title><table>{% for m in rows %}"
    "<tr><td>{{ m.code }}</td><td>{{ m.name }}</td><td>{{ m.city }}</td></tr>{% endfor %}</table>"
)


def anchor(request):
    return HttpResponse(_ANCHOR.render({"rows": list(Municipality.objects.order_by("code")[:50])}, request))


BARE_TABLE = "bench_bare_insert"


@login_not_required
@csrf_exempt
def bare_insert(request):
    """The visit POST's anchor (bench/visit_post.py): one INSERT in a transaction, nothing else."""
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {BARE_TABLE} (at, body) VALUES (now(), %s)", [request.POST.get("note", "")])  # noqa: S608
    return HttpResponse("ok", content_type="text/plain")


# The app's own URLs, plus the anchors; the benchmark runs with ROOT_URLCONF pointing here.
urlpatterns = [
    path("__bench__/anchor/", anchor),
    path("__bench__/insert/", bare_insert),
    path("", include("housingfirst.urls")),
]
