from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("audit/", views.audit_log, name="audit"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/holidays/<int:pk>/delete/", views.holiday_delete, name="holiday_delete"),
    path("settings/rules/<str:code>/reset/", views.rule_reset, name="rule_reset"),
]
