from django.urls import path

from workshops import views

app_name = "workshops"

urlpatterns = [
    path("", views.workshop_list, name="list"),
    path("<int:pk>/", views.attendance, name="attendance"),
    path("<int:pk>/ret/", views.workshop_edit, name="edit"),
    path("<int:pk>/rettelse/", views.correction, name="correction"),
    path("dusoer/", views.month, name="month"),
    path("dusoer/udbetal/", views.pay, name="pay"),
    path("dusoer/borger/<int:citizen_pk>/", views.statement, name="statement"),
    path("dusoer/borger/<int:citizen_pk>/pdf/", views.statement_pdf, name="statement_pdf"),
    path("dusoer/loenliste/", views.payroll_csv, name="payroll_csv"),
]
