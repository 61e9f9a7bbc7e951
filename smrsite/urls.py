from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from questions import urls as question_urls
from routines import session_views
from smrsite import views
from smrsite.admin_login import admin_login
from techniques import urls as technique_urls
from techniques import views as technique_views
from techniques.sitemaps import StaticSitemap, TechniqueSitemap

sitemaps = {"pages": StaticSitemap, "techniques": TechniqueSitemap}

# A search box and the closest technique names for a mistyped address (smrsite.views).
handler404 = views.page_not_found
# 500, or 503 when the database connection was lost mid-request (smrsite.views).
handler500 = views.server_error

# Before admin.site.urls is read: the admin signs in through allauth (rate limits, 2FA).
admin.site.login = admin_login

urlpatterns = [
    path("", technique_views.home, name="home"),
    # One namespace for the catalogue and its questions, as before they were two apps:
    # URL names such as techniques:comment are in emails already sent and in templates.
    path(
        "techniques/",
        include(([*technique_urls.urlpatterns, *question_urls.urlpatterns], "techniques")),
    ),
    # Our profile page sits beside allauth's account pages: /accounts/profile/.
    path("accounts/", include("members.urls")),
    path("accounts/", include("allauth.urls")),
    path("routine/", include("routines.urls")),
    path("admin/", admin.site.urls),
    path("healthz", views.healthz, name="healthz"),
    # At the root, so the guided session's service worker may look after the whole site.
    path("sw.js", session_views.service_worker, name="service_worker"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("sitemap.xml", sitemap, {"sitemaps": sitemaps}, name="sitemap"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
