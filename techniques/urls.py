from django.urls import path

from techniques import comment_views, views

app_name = "techniques"

urlpatterns = [
    path("", views.technique_list, name="list"),
    # Before the technique pages, which would otherwise take "booklet" for a slug.
    path("booklet/", views.technique_booklet, name="booklet"),
    path("<slug:slug>/", views.technique_detail, name="detail"),
    path("<slug:slug>/pdf/", views.technique_pdf, name="pdf"),
    path("<slug:slug>/video/", views.technique_video, name="video"),
    # Questions and answers (comment_views.py); two-segment paths never clash with slugs.
    path("<slug:slug>/comments/", comment_views.comment_create, name="comment_create"),
    path("comments/queue/", comment_views.comment_queue, name="comment_queue"),
    path(
        "comments/unsubscribe/<str:token>/",
        comment_views.comment_unsubscribe,
        name="comment_unsubscribe",
    ),
    path("comments/<int:pk>/", comment_views.comment_permalink, name="comment"),
    path("comments/<int:pk>/edit/", comment_views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", comment_views.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/moderate/", comment_views.comment_moderate, name="comment_moderate"),
    path("comments/<int:pk>/answer/", comment_views.comment_mark_answer, name="comment_answer"),
    path("comments/<int:pk>/flag/", comment_views.comment_flag, name="comment_flag"),
    path("comments/<int:pk>/follow/", comment_views.thread_follow, name="comment_follow"),
    path("comments/<int:pk>/faq/", comment_views.faq_promote, name="comment_faq"),
]
