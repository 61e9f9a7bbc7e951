"""Addresses of the questions and answers, served under ``/techniques/``.

``smrsite.urls`` puts these in the ``techniques`` URL namespace, where they were before
the questions had an app of their own: emails already sent, bookmarks and templates
name them ``techniques:comment``, ``techniques:comment_edit``… Two-segment paths never
clash with the technique pages' slugs ("comments" is a reserved slug).
"""

from django.urls import path

from questions import views

urlpatterns = [
    path("<slug:slug>/comments/", views.comment_create, name="comment_create"),
    path("comments/queue/", views.comment_queue, name="comment_queue"),
    path(
        "comments/unsubscribe/<str:token>/",
        views.comment_unsubscribe,
        name="comment_unsubscribe",
    ),
    path("comments/<int:pk>/", views.comment_permalink, name="comment"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/moderate/", views.comment_moderate, name="comment_moderate"),
    path("comments/<int:pk>/answer/", views.comment_mark_answer, name="comment_answer"),
    path("comments/<int:pk>/flag/", views.comment_flag, name="comment_flag"),
    path("comments/<int:pk>/follow/", views.thread_follow, name="comment_follow"),
    path("comments/<int:pk>/faq/", views.faq_promote, name="comment_faq"),
]
