from django.urls import path

from invoicing import views

app_name = "invoicing"

urlpatterns = [
    path("", views.month, name="month"),
    path("udsted/", views.issue, name="issue"),
    path("takster/", views.rates, name="rates"),
    path("timeopgoerelse/", views.hours_statement, name="hours_statement"),
    path("fakturaer/", views.invoice_list, name="list"),
    path("fakturaer/<int:pk>/", views.invoice_detail, name="detail"),
    path("fakturaer/<int:pk>/hent/<str:document>/", views.download, name="download"),
    path("fakturaer/<int:pk>/send/", views.send, name="send"),
    path("fakturaer/<int:pk>/betalt/", views.paid, name="paid"),
    path("fakturaer/<int:pk>/krediter/", views.credit, name="credit"),
]
