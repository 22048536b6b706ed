from django.urls import path

from motcua.supervision import views, views_programmes

app_name = "supervision"

urlpatterns = [
    path("", views.register, name="register"),
    path("moi/", views.new, name="new"),
    path("cong-khai/", views.public, name="public"),
    path("den-han/", views_programmes.due, name="due"),
    path("chuong-trinh/", views_programmes.programmes, name="programmes"),
    path("chuong-trinh/moi/", views_programmes.new_programme, name="new_programme"),
    path("chuong-trinh/<int:pk>/", views_programmes.programme, name="programme"),
    path("chuong-trinh/<int:pk>/cong-khai/", views_programmes.publish_programme, name="publish_programme"),
    path("<str:code>/", views.delegation, name="delegation"),
    path("<str:code>/thao-tac/", views.act, name="act"),
    path("<str:code>/bao-cao.pdf", views.report_pdf, name="report_pdf"),
]
