from django.urls import path

from agreements import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("ny/", views.agreement_create, name="create"),
    path("standardtekst/", views.text_edit, name="text"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/rediger/", views.agreement_edit, name="edit"),
    path("<int:pk>/udsted/", views.agreement_issue, name="issue"),
    path("<int:pk>/underskrifter/", views.agreement_sign, name="sign"),
    path("<int:pk>/underskrevet-kopi/", views.agreement_upload, name="upload"),
    path("<int:pk>/underskrevet-kopi/hent/", views.signed_copy, name="signed_copy"),
    path("<int:pk>/afslut/", views.agreement_end, name="end"),
    path("<int:pk>/ny-version/", views.agreement_new_version, name="new_version"),
    path("<int:pk>/pdf/", views.agreement_pdf, name="pdf"),
    path("<int:pk>/samtykke-pdf/", views.consent_pdf, name="consent_pdf"),
]
