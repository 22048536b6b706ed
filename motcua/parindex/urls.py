from django.urls import path

from motcua.parindex import views

app_name = "parindex"

urlpatterns = [
    path("", views.assessments, name="assessments"),
    path("cong-bo/", views.public, name="public"),
    path("cong-bo/<int:pk>/", views.public_assessment, name="public_assessment"),
    path("bo/<str:code>/xep-hang/", views.ranking, name="ranking"),
    path("<int:pk>/", views.assessment, name="assessment"),
    path("<int:pk>/cham-diem/", views.score, name="score"),
    path("<int:pk>/kiem-chung/", views.upload, name="upload"),
    path("<int:pk>/kiem-chung/<int:doc>/", views.download, name="download"),
]
