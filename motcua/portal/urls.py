from django.urls import path

from motcua.portal import files, lookup, views

app_name = "portal"

urlpatterns = [
    path("thu-tuc/", views.catalogue, name="catalogue"),
    path("thu-tuc/ma-qr/", views.qr_sheet, name="qr_sheet"),
    path("thu-tuc/<str:code>/", views.procedure_detail, name="procedure"),
    path("thu-tuc/<str:code>/nop/", views.submit, name="submit"),
    path("nop-ho-so/<str:code>/da-gui/", views.submitted, name="submitted"),
    path("tra-cuu/", lookup.lookup, name="lookup"),
    path("tra-cuu/<str:code>/", lookup.dossier_page, name="dossier"),
    path("tra-cuu/<str:code>/danh-gia/", lookup.rate, name="rate"),
    path("tra-cuu/<str:code>/bo-sung/", files.supplement, name="supplement"),
    path("tra-cuu/<str:code>/ket-qua/<int:pk>/", files.result_file, name="result_file"),
]
