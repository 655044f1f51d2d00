from django.urls import path

from . import views

app_name = "recruitment"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_open, name="open"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export/", views.funnel_export, name="funnel_export"),
    path("ledger/", views.ledger_docx, name="ledger"),
    path("audit/", views.legacy_audit, name="audit"),
    path("audit/template/", views.legacy_template, name="audit_template"),
    path("audit/sample/", views.legacy_sample, name="audit_sample"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/steps/<str:code>/", views.step_record, name="step"),
    path("<int:pk>/extend/", views.case_extend, name="extend"),
    path("<int:pk>/cancel/", views.case_cancel, name="cancel"),
    path("<int:pk>/political-review/", views.political_review, name="political_review"),
    path("<int:pk>/record.docx", views.record_docx, name="record_docx"),
]
