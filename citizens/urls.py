from django.urls import path

from citizens import views

app_name = "citizens"

urlpatterns = [
    path("", views.citizen_list, name="list"),
    path("ny/", views.citizen_create, name="create"),
    path("eksport/", views.citizen_list_export, name="export"),
    path("livsomraader/", views.life_area_list, name="life_areas"),
    path("livsomraader/ny/", views.life_area_form, name="life_area_create"),
    path("livsomraader/<int:area_pk>/", views.life_area_form, name="life_area_edit"),
    path("<int:pk>/", views.citizen_detail, name="detail"),
    path("<int:pk>/ret/", views.citizen_edit, name="edit"),
    path("<int:pk>/cpr/", views.citizen_reveal_cpr, name="reveal_cpr"),
    path("<int:pk>/indsigt/", views.citizen_access_export, name="access_export"),
    path("<int:pk>/sletning/", views.erasure_request, name="erasure_request"),
    path("<int:pk>/sletning/<int:request_pk>/", views.erasure_decision, name="erasure_decision"),
    path("sletninger/", views.erasure_requests, name="erasure_requests"),
    path("<int:pk>/handleplaner/ny/", views.plan_create, name="plan_create"),
    path("<int:pk>/handleplaner/<int:plan_pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/handleplaner/<int:plan_pk>/ret/", views.plan_edit, name="plan_edit"),
    path("<int:pk>/handleplaner/<int:plan_pk>/slet/", views.plan_delete, name="plan_delete"),
    path("<int:pk>/handleplaner/<int:plan_pk>/dokument/", views.plan_document, name="plan_document"),
    path("<int:pk>/samtykker/ny/", views.consent_create, name="consent_create"),
    path("<int:pk>/samtykker/<int:consent_pk>/ret/", views.consent_edit, name="consent_edit"),
    path("<int:pk>/samtykker/<int:consent_pk>/slet/", views.consent_delete, name="consent_delete"),
    path("<int:pk>/samtykker/<int:consent_pk>/dokument/", views.consent_document, name="consent_document"),
]
