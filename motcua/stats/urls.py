from django.urls import path

from motcua.stats import views_dashboard, views_form06, views_quality

app_name = "stats"

urlpatterns = [
    path("", views_dashboard.dashboard, name="dashboard"),
    path("mau-06/", views_form06.form06_page, name="form06"),
    path("mau-06/ho-so/", views_form06.form06_dossiers, name="form06_dossiers"),
    path("mau-06/tai-ve.<str:fmt>", views_form06.form06_export, name="form06_export"),
    path("xep-hang/", views_quality.rankings, name="rankings"),
    path("chi-so-766/", views_quality.index766, name="index766"),
    path("chi-so-766/ho-so/", views_quality.index766_dossiers, name="index766_dossiers"),
    path("thoi-gian/", views_quality.timing, name="timing"),
    path("canh-bao/", views_quality.warnings, name="warnings"),
]
