"""Error reports (the e-mails to ADMINS, and the debug page's data) without the citizens' data a request carries.

A failed request can hold a search for a name or a birth date in its query, a CPR number or a note in its
body, a file named after a citizen, and local variables that print as a citizen's name. Django's own filter
hides only what looks like a password. Here every value of the query, the body, the uploaded files and the
cookies is replaced, the URL loses its query string, the Referer and the raw query leave the environment, and
local variables are shown by type only. What stays is what finds the bug: the path, the view, the traceback
with file and line, the exception, and which parameters were sent.
"""

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

HIDDEN = "********************"
# Environment entries that repeat the query string or carry another page's URL.
HIDDEN_META = {"QUERY_STRING", "HTTP_REFERER", "HTTP_COOKIE", "REQUEST_URI", "RAW_URI", "HTTP_HX_CURRENT_URL"}


class PersonalDataFilter(SafeExceptionReporterFilter):
    cleansed_substitute = HIDDEN

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return dict.fromkeys(request.POST, HIDDEN)

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        return {key: (HIDDEN if key in HIDDEN_META else value) for key, value in meta.items()}

    def get_traceback_frame_variables(self, request, tb_frame):
        # A local `citizen` prints as the citizen's name, a form as what was typed: keep the names, show types.
        return [(name, f"<{type(value).__name__}>") for name, value in tb_frame.f_locals.items()]


class PersonalDataReporter(ExceptionReporter):
    def get_traceback_data(self):
        data = super().get_traceback_data()
        if self.request is not None:
            data["request_GET_items"] = [(name, HIDDEN) for name in self.request.GET]
            data["request_FILES_items"] = [(name, HIDDEN) for name in self.request.FILES]
            data["request_insecure_uri"] = self.request.build_absolute_uri(self.request.path) if self._host_ok() else (
                self.request.path
            )  # fmt: skip
        return data

    def _host_ok(self) -> bool:
        try:
            self.request.get_host()
        except Exception:  # noqa: BLE001 - a disallowed host is itself a reason for a report
            return False
        return True
