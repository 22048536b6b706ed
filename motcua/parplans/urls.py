from django.urls import path

from motcua.parplans import views, views_evidence, views_procedures

app_name = "parplans"

urlpatterns = [
    path("", views.plans, name="plans"),
    path("<int:pk>/", views.plan, name="plan"),
    path("<int:pk>/nhiem-vu/", views.add_task, name="add_task"),
    path("nhiem-vu/<int:pk>/", views.task, name="task"),
    path("nhiem-vu/<int:pk>/thao-tac/", views.task_action, name="task_action"),
    path("nhiem-vu/<int:pk>/minh-chung/", views_evidence.upload, name="task_upload"),
    path("nhiem-vu/<int:pk>/minh-chung/<int:doc>/", views_evidence.download, name="task_document"),
    path("thu-tuc-noi-bo/", views.internal_procedures, name="internal_procedures"),
    path("quy-trinh-dien-tu/", views_procedures.route_approval, name="route_approval"),
    path("de-xuat/", views_procedures.proposal, name="proposal"),
    path("don-gian-hoa/<int:pk>/", views.simplification, name="simplification"),
]
