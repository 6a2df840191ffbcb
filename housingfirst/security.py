"""Response headers that keep personal data out of caches, and the Content-Security-Policy."""

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.csp import CSP
from django.utils.translation import gettext as _

# No inline script or style unless it carries the request's nonce; nothing from another origin.
# Bootstrap's stylesheet draws its icons (select arrows, the menu button) as data: SVG images.
CONTENT_SECURITY_POLICY = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}


class PrivateCacheMiddleware:
    """Every page a signed-in user sees may hold a CPR number or a citizen's situation: no shared cache, no
    browser cache, no back button after logout. Responses that chose their own Cache-Control keep it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response.headers:
            patch_cache_control(response, private=True, no_store=True)
        return response


class RefuseNulBytesMiddleware:
    """PostgreSQL cannot store or compare text holding a NUL byte, so `?q=%00` would reach the database and
    answer 500. No form field of ours takes one: the request is refused as bad input."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        values = [*request.GET.values()]
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            values.extend(request.POST.values())
        if any("\x00" in value for value in values):
            return HttpResponseBadRequest(_("The request holds a character that is not allowed (NUL)."))
        return self.get_response(request)


def bad_request(request, exception=None):
    """The 400 page in the app's layout (Django's own renders it without the request, so without the menu).
    Reached by a request with more fields or files than DATA_UPLOAD_MAX_NUMBER_FIELDS/_FILES allow."""
    return render(request, "400.html", status=400)


class RequestSizeLimitMiddleware:
    """A body larger than the largest upload (MAX_UPLOAD_MB, plus a megabyte for the form around it) is
    refused from its Content-Length, before a byte of it is read: a worker is not tied up receiving
    and parsing it. The proxy in front should refuse it even earlier (README, "Production")."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = (settings.MAX_UPLOAD_MB + 1) * 1024 * 1024
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return HttpResponseBadRequest(_("The request's Content-Length is not a number."))
        if length > limit:
            response = render(request, "413.html", {"limit_mb": settings.MAX_UPLOAD_MB}, status=413)
            response["Connection"] = "close"  # the unread body is not waited for
            return response
        return self.get_response(request)
