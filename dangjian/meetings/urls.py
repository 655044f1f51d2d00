from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("", views.meeting_list, name="list"),
    path("new/", views.meeting_create, name="create"),
    path("form-fields/", views.meeting_form_fields, name="form_fields"),
    path("compliance/", views.compliance, name="compliance"),
    path("compliance/export/", views.compliance_export, name="compliance_export"),
    path("compliance/<str:code>/<str:period>/", views.compliance_cell, name="compliance_cell"),
    path("planner/", views.planner, name="planner"),
    path("dual-life/", views.dual_life, name="dual_life"),
    path("ledger/<str:code>/<int:year>/", views.ledger, name="ledger"),
    path("<int:pk>/", views.meeting_detail, name="detail"),
    path("<int:pk>/edit/", views.meeting_edit, name="edit"),
    path("<int:pk>/record/", views.record, name="record"),
    path("<int:pk>/vote/", views.vote, name="vote"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/return/", views.return_record, name="return"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/attendance/", views.mark, name="mark"),
    path("<int:pk>/attachments/", views.attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("<int:pk>/qr/", views.checkin_qr, name="checkin_qr"),
    path("<int:pk>/qr/screen/", views.checkin_screen, name="checkin_screen"),
    # The QR code's URL (the API's check-in-token endpoint builds the same one): /meetings/<id>/check-in?t=<token>
    path("<int:pk>/check-in", views.checkin, name="checkin"),
    path("<int:pk>/word/", views.export_docx, name="export_docx"),
]
