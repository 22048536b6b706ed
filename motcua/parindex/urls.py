from django.urls import path

from motcua.parindex import views

app_name = "parindex"

urlpatterns = [
    path("", views.assessments, name="assessments"),
    path("cong-bo/", views.public, name="public"),
    path("bo/<str:code>/xep-hang/", views.ranking, name="ranking"),
    path("<int:pk>/", views.assessment, name="assessment"),
    path("<int:pk>/cham-diem/", views.score, name="score"),
]
