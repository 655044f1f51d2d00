from django.conf import settings
from django.urls import include, path
from django.views.i18n import set_language

from dangjian.api.urls import api
from dangjian.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("accounts/", include("dangjian.accounts.urls")),
    path("core/", include("dangjian.core.urls")),
    path("org/", include("dangjian.organizations.urls")),
    path("people/", include("dangjian.people.urls")),
    path("meetings/", include("dangjian.meetings.urls")),
    path("talks/", include("dangjian.talks.urls")),
    path("recruitment/", include("dangjian.recruitment.urls")),
    path("notifications/", include("dangjian.notifications.urls")),
    path("api/v1/", api.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
