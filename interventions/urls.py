from django.urls import path

from interventions import report_views, views

app_name = "interventions"

urlpatterns = [
    path("mine-borgere/", views.my_citizens, name="my_citizens"),
    path("kapacitet/", views.capacity, name="capacity"),
    path("advarsler/", views.fidelity, name="fidelity"),
    path("<int:pk>/", views.intervention_detail, name="detail"),
    path("<int:pk>/tildel/", views.intervention_assign, name="assign"),
    path("<int:pk>/ret/", views.intervention_edit, name="edit"),
    path("<int:pk>/fase/", views.intervention_phase, name="phase"),
    path("<int:pk>/pause/", views.intervention_pause, name="pause"),
    path("<int:pk>/pause/<int:pause_pk>/aftalt/", views.shelter_return_agreed, name="shelter_return_agreed"),
    path("<int:pk>/skift-metode/", views.intervention_change_method, name="change_method"),
    path("<int:pk>/afslut/", views.intervention_end, name="end"),
    path("borger/<int:citizen_pk>/start/", views.intervention_start, name="start"),
    path("borger/<int:citizen_pk>/besoeg/", views.citizen_visits, name="citizen_visits"),
    path("besoeg/", views.visit_list, name="visit_list"),
    path("besoeg/ny/", views.visit_create, name="visit_create"),
    path("besoeg/seneste/", views.visit_hint, name="visit_hint"),
    path("besoeg/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("besoeg/<int:pk>/ret/", views.visit_edit, name="visit_edit"),
    path("besoeg/<int:pk>/slet/", views.visit_delete, name="visit_delete"),
]

# Method fidelity and outcomes (issue 13), in their own views module.

urlpatterns += [
    path("troskab/", report_views.method_fidelity, name="method_fidelity"),
    path("troskab/forventninger/", report_views.expectations, name="expectations"),
    path("resultater/", report_views.outcomes_page, name="outcomes"),
    path("rapport/<str:page>/eksport/", report_views.report_export, name="report_export"),
    path("moeder/", report_views.meetings, name="meetings"),
    path("<int:pk>/boligstatus/<str:checkpoint>/", report_views.housing_status, name="housing_status"),
    path("<int:pk>/statusrapport/", report_views.progress_report, name="progress_report"),
]
