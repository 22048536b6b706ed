from django.urls import path

from motcua.stats import views_public

app_name = "public_stats"

urlpatterns = [
    path("", views_public.dashboard, name="dashboard"),
    path("du-lieu.csv", views_public.open_data, {"fmt": "csv"}, name="data_csv"),
    path("du-lieu.json", views_public.open_data, {"fmt": "json"}, name="data_json"),
]
