"""Addresses made from one reverse() are the addresses reverse() gives."""

from django.urls import reverse

from smrsite.links import url_maker


def test_a_url_maker_gives_what_reverse_gives_for_slugs_and_ids():
    detail = url_maker("techniques:detail")
    edit = url_maker("techniques:comment_edit", "pk")
    for slug in ("psoas-press", "calf_roll-2", "987654321"):
        assert detail(slug) == reverse("techniques:detail", kwargs={"slug": slug})
    for pk in (1, 42, 987654321):
        assert edit(pk) == reverse("techniques:comment_edit", kwargs={"pk": pk})
