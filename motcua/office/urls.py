from django.urls import path

from motcua.office import views_dossier, views_files, views_forms, views_inbox, views_intake, views_search

app_name = "office"

urlpatterns = [
    path("", views_inbox.inbox, name="inbox"),
    path("tiep-nhan/", views_intake.intake, name="intake"),
    path("tim-kiem/", views_search.search, name="search"),
    path("so-theo-doi/", views_forms.logbook, name="logbook"),
    path("tiep-nhan/thu-tuc/", views_intake.procedure_search, name="procedure_search"),
    path("dossiers/<str:code>/", views_dossier.dossier_page, name="dossier"),
    path("dossiers/<str:code>/actions/", views_dossier.dossier_action, name="dossier_action"),
    path("dossiers/<str:code>/forms/<slug:key>.pdf", views_forms.form_pdf, name="form_pdf"),
    path("dossiers/<str:code>/documents/<int:pk>/", views_forms.document_file, name="document_file"),
    path("dossiers/<str:code>/tep/quet/", views_files.upload_intake, name="upload_intake"),
    path("dossiers/<str:code>/tep/ket-qua/", views_files.upload_result, name="upload_result"),
    path("dossiers/<str:code>/tep/xac-nhan-bo-sung/", views_files.confirm_supplement, name="confirm_supplement"),
    path("dossiers/<str:code>/thong-bao-bo-sung.pdf", views_files.supplement_notice, name="supplement_notice"),
]
