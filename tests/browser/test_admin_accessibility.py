"""The admin as staff use it, checked in Chromium at 390 and 1280 px.

Django's own screens, with their own styles: axe-core's WCAG 2.2 AA rules find no
violation of any impact and headings go in order, on the index, every app, and every
registered model's list, add, change, delete and history pages (from the admin's
registry, so a new model is checked without being listed here), and our own extra
admin pages.
"""

from dataclasses import dataclass

import pytest
from django.contrib import admin

from tests.browser.a11y import DESKTOP, PHONE, axe_violations, heading_problems, report
from tests.browser.world import World, make_world, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def world(site):
    return make_world()


VIEWPORTS = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
# Admin pages of our own, beyond the registry's.
EXTRA_PAGES = ["/admin/techniques/technique/pictures/"]


def _admin_paths(world) -> list[str]:
    """Index, each app, and each registered model's list, add, change, delete and history."""
    paths = ["/admin/", "/admin/password_change/"]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        paths += (
            [base, f"{base}add/"] if model_admin.has_add_permission(_Request(world)) else [base]
        )
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            paths += [
                f"{base}{obj.pk}/change/",
                f"{base}{obj.pk}/delete/",
                f"{base}{obj.pk}/history/",
            ]
    paths += sorted({f"/admin/{m._meta.app_label}/" for m in admin.site._registry})
    return paths + EXTRA_PAGES


@dataclass
class _Request:
    world: World

    @property
    def user(self):
        return self.world.staff


@VIEWPORTS
def test_every_admin_page(browser, site, world, viewport):
    """Django's admin as staff use it: axe finds nothing and headings are in order."""
    context = browser.new_context(viewport=viewport)
    sign_in(context, site, world.staff)
    page = context.new_page()
    problems = {}
    for path in _admin_paths(world):
        page.goto(site.url + path)
        page.wait_for_load_state("load")
        found = [
            f"axe {v['id']}: {v['help']}: {node['html'][:140]}"
            for v in axe_violations(page)
            for node in v["nodes"][:2]
        ] + heading_problems(page)
        if found:
            problems[path] = found
    context.close()
    assert problems == {}, report(problems)
