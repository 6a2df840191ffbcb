from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from housingfirst import views

admin.site.site_header = _("Bostøtte administration")
admin.site.site_title = _("Bostøtte")

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("sprog/", views.set_language, name="set_language"),
    path("health/", views.health, name="health"),
    path("leverandoer/", views.provider_edit, name="provider_edit"),
    path("kommuner/", views.municipality_list, name="municipality_list"),
    path("kommuner/<int:pk>/", views.municipality_detail, name="municipality_detail"),
    path("kommuner/<int:pk>/ean/<int:ean_pk>/slet/", views.municipality_ean_delete, name="municipality_ean_delete"),
    path("filer/", views.export_list, name="export_list"),
    path("filer/<uuid:pk>/", views.export_detail, name="export_detail"),
    path("filer/<uuid:pk>/hent/", views.export_download, name="export_download"),
    path("filer/<uuid:pk>/proev-igen/", views.export_retry, name="export_retry"),
    path("opgaver/", views.task_list, name="task_list"),
    path("opgaver/<uuid:pk>/proev-igen/", views.task_retry, name="task_retry"),
    path("tofaktor/", views.twofactor_overview, name="twofactor"),
    path("tofaktor/kode/", views.twofactor_verify, name="twofactor_verify"),
    path("tofaktor/opsaet/", views.twofactor_enrol, name="twofactor_enrol"),
    path("tofaktor/nye-koder/", views.twofactor_recovery_codes, name="twofactor_recovery_codes"),
    path("tofaktor/brugere/", views.twofactor_users, name="twofactor_users"),
    path("tofaktor/brugere/<int:pk>/nulstil/", views.twofactor_reset, name="twofactor_reset"),
    path("adgangskode/", views.PasswordChange.as_view(), name="password_change"),
    path("laaste-logins/", views.lockout_list, name="lockout_list"),
    path("laaste-logins/<int:pk>/ophaev/", views.lockout_lift, name="lockout_lift"),
    path("borgere/", include("citizens.urls")),
    path("indsatser/", include("interventions.urls")),
    path("aftaler/", include("agreements.urls")),
    path("fakturering/", include("invoicing.urls")),
    path("revisionsspor/", include("audit.urls")),
    path("agenda/", include("agenda.urls")),
    path("vaerksteder/", include("workshops.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "housingfirst.security.bad_request"
handler403 = "django.views.defaults.permission_denied"
handler404 = "django.views.defaults.page_not_found"
handler500 = "django.views.defaults.server_error"
