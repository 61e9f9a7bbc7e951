"""The printed plan: cautions beside each technique, room for notes, a link that stays whole."""

import re
import subprocess
from io import BytesIO

from pypdf import PdfReader

from techniques.models import Technique
from tests.routines.conftest import DAY

LONG_HOST = "members.smr-coach-for-everyone-who-rolls-and-presses-a-little-every-single-day.test"


def _plan_pdf(client) -> bytes:
    response = client.get(f"/routine/plan.pdf?date={DAY.isoformat()}", HTTP_HOST=LONG_HOST)
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_each_technique_carries_its_cautions_where_it_first_appears(auth_client, routine, settings):
    """The first time a technique is on the plan its cautions are printed beside it."""
    settings.ALLOWED_HOSTS = [LONG_HOST]
    pages = [page.extract_text() for page in PdfReader(BytesIO(_plan_pdf(auth_client))).pages]
    text = " ".join(" ".join(pages).split())
    first_day = text.split("Tuesday 3 March", 1)[0]
    for slug in ("glute-ball-roll", "side-hip-ball-press"):
        technique = Technique.objects.get(slug=slug)
        name_at = first_day.index(technique.name)
        caution = " ".join(technique.cautions.split())
        assert first_day.index(f"Safety first. {caution}") > name_at
        assert text.count(caution) == 1
    assert "Safety first: see Monday 2 March." in text
    assert text.count("HOW IT WENT") == 14  # printed in capitals


def test_the_plan_uses_the_handout_fonts_and_keeps_its_link_whole(
    auth_client, routine, tmp_path, settings
):
    """Liberation fonts as on the handouts; the plan's address is never split over lines."""
    settings.ALLOWED_HOSTS = [LONG_HOST]
    path = tmp_path / "plan.pdf"
    path.write_bytes(_plan_pdf(auth_client))
    fonts = subprocess.run(["pdffonts", path], capture_output=True, text=True, check=True).stdout
    assert "Liberation-Serif" in fonts
    assert "Liberation-Sans" in fonts
    assert "DejaVu" not in fonts
    lines = subprocess.run(
        ["pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    assert any(re.search(rf"http://{LONG_HOST}/routine/(\s|$)", line) for line in lines)
