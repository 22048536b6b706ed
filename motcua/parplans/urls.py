from django.urls import path

from motcua.parplans import views

app_name = "parplans"

urlpatterns = [
    path("", views.plans, name="plans"),
    path("<int:pk>/", views.plan, name="plan"),
    path("<int:pk>/nhiem-vu/", views.add_task, name="add_task"),
    path("nhiem-vu/<int:pk>/", views.task, name="task"),
    path("nhiem-vu/<int:pk>/thao-tac/", views.task_action, name="task_action"),
    path("thu-tuc-noi-bo/", views.internal_procedures, name="internal_procedures"),
    path("don-gian-hoa/<int:pk>/", views.simplification, name="simplification"),
]
