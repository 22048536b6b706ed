from django.urls import path

from motcua.followup import views

app_name = "followup"

urlpatterns = [
    path("", views.register, name="register"),
    path("moi/", views.new, name="new"),
    path("cua-don-vi/", views.ours, name="ours"),
    path("cong-khai/", views.public, name="public"),
    path("<str:code>/", views.recommendation, name="recommendation"),
    path("<str:code>/thao-tac/", views.act, name="act"),
    path("<str:code>/tai-lieu/<int:pk>/", views.document, name="document"),
]
