from django.urls import path

from techniques import views

urlpatterns = [
    path("", views.technique_list, name="list"),
    # Before the technique pages, which would otherwise take "booklet" for a slug.
    path("booklet/", views.technique_booklet, name="booklet"),
    path("<slug:slug>/", views.technique_detail, name="detail"),
    path("<slug:slug>/pdf/", views.technique_pdf, name="pdf"),
    path("<slug:slug>/video/", views.technique_video, name="video"),
]
