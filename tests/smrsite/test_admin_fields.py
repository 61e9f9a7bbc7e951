"""Inputs in the admin's table cells carry a name a screen reader can read."""

import re

import pytest
from django.urls import reverse

from tests.factories import RegionFactory, RoutineFactory, UserFactory, client_for


@pytest.fixture
def admin_client(db):
    return client_for(UserFactory(username="boss", is_staff=True, is_superuser=True))


def _labels(html: str, name_pattern: str) -> list[str]:
    """The aria-label of each input or select whose name matches ``name_pattern``."""
    return [
        re.search(r'aria-label="([^"]*)"', tag)[1] if "aria-label" in tag else ""
        for tag in re.findall(r"<(?:input|select)[^>]*>", html)
        if re.search(rf'name="{name_pattern}"', tag)
    ]


def test_list_editable_inputs_are_named_by_column_and_row(admin_client):
    """On the regions list, each position box says whose position it is."""
    RegionFactory(slug="hip", name="Hip")
    RegionFactory(slug="thigh", name="Thigh")
    html = admin_client.get(reverse("admin:techniques_region_changelist")).content.decode()
    assert _labels(html, r"form-\d+-position") == ["Position, Hip", "Position, Thigh"]


def test_tabular_inline_inputs_are_named_by_column_and_row(admin_client, catalogue, user):
    """In a routine's regions, each select, order box and delete box names its row."""
    routine = RoutineFactory(member=user, regions=["hip", "thigh"])
    url = reverse("admin:routines_routine_change", args=[routine.pk])
    html = admin_client.get(url).content.decode()
    assert _labels(html, r"region_links-\d+-region") == ["Region, row 1", "Region, row 2"]
    assert _labels(html, r"region_links-1-DELETE") == ["Delete, row 2"]
    assert _labels(html, r"region_links-__prefix__-region") == ["Region, new row"]
