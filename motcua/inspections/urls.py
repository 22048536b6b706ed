from django.urls import path

from motcua.inspections import views

app_name = "inspections"

urlpatterns = [
    path("", views.register, name="register"),
    path("ke-hoach/", views.plans, name="plans"),
    path("ke-hoach/<int:pk>/", views.plan, name="plan"),
    path("moi/", views.new, name="new"),
    path("<str:code>/", views.inspection, name="inspection"),
    path("<str:code>/thao-tac/", views.act, name="act"),
    path("<str:code>/phat-hien/", views.finding, name="finding"),
    path("<str:code>/bang-chung/", views.attach, name="attach"),
    path("<str:code>/tre-han-chua-xin-loi/", views.late, name="late"),
    path("<str:code>/bang-chung/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("<str:code>/bao-cao.pdf", views.report_pdf, name="report_pdf"),
]
