from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from techniques.models import Technique


class StaticSitemap(Sitemap):
    priority = 0.8

    def items(self):
        return ["home", "techniques:list"]

    def location(self, item):
        return reverse(item)


class TechniqueSitemap(Sitemap):
    priority = 0.6

    def items(self):
        return Technique.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, obj):
        return obj.updated_at
