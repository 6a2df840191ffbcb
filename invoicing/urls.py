from django.urls import path

from invoicing import views

app_name = "invoicing"

urlpatterns = [
    path("", views.month, name="month"),
    path("udsted/", views.issue, name="issue"),
    path("udsted/status/", views.month_issue, name="month_issue"),
    path("linjer/<int:municipality_id>/", views.month_lines, name="month_lines"),
    path("dokumenter/", views.month_documents, name="month_documents"),
    path("dokumenter/igen/", views.month_documents_again, name="month_documents_again"),
    path("takster/", views.rates, name="rates"),
    path("timeopgoerelse/", views.hours_statement, name="hours_statement"),
    path("fakturaer/", views.invoice_list, name="list"),
    path("fakturaer/<int:pk>/", views.invoice_detail, name="detail"),
    path("fakturaer/<int:pk>/hent/<str:document>/", views.download, name="download"),
    path("fakturaer/<int:pk>/dokumenter/", views.invoice_documents, name="documents"),
    path("fakturaer/<int:pk>/dokumenter/igen/", views.invoice_documents_again, name="documents_again"),
    path("fakturaer/<int:pk>/send/", views.send, name="send"),
    path("fakturaer/<int:pk>/afsendelse/", views.invoice_sending, name="sending"),
    path("fakturaer/<int:pk>/betalt/", views.paid, name="paid"),
    path("fakturaer/<int:pk>/krediter/", views.credit, name="credit"),
]
