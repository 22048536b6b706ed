from django.urls import path

from motcua.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", views.register, name="register"),
    path("moi/", views.new, name="new"),
    path("cong-khai/", views.public, name="public"),
    path("<str:code>/", views.delegation, name="delegation"),
    path("<str:code>/thao-tac/", views.act, name="act"),
    path("<str:code>/bao-cao.pdf", views.report_pdf, name="report_pdf"),
]
