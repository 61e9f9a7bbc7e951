from django.urls import path

from routines import session_views, views

app_name = "routines"

urlpatterns = [
    path("", views.today, name="today"),
    path("start/", views.start, name="start"),
    path("settings/", views.edit, name="settings"),
    path("log/", views.log, name="log"),
    path("log/<int:pk>/note/", views.note, name="note"),
    path("round/", views.cycle_choice, name="cycle_choice"),
    path("pin/<slug:slug>/", views.pin, name="pin"),
    path("next/", views.upcoming, name="upcoming"),
    path("session/", session_views.session_page, name="session"),
    path("session/log/", session_views.session_log, name="session_log"),
    path("session/app.webmanifest", session_views.manifest, name="session_manifest"),
    path("history/", views.history, name="history"),
    path("plan.pdf", views.plan_pdf, name="pdf"),
    path("feed/<str:token>.ics", views.feed, name="feed"),
    path("feed/new-address/", views.feed_regenerate, name="feed_regenerate"),
    path("reminders/off/<str:token>/", views.reminders_off, name="reminders_off"),
]
