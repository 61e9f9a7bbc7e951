import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_reader_downloads_the_psoas_press_pdf(site, page, tmp_path):
    """Clicking the PDF link on the Psoas Press page downloads psoas-press.pdf."""
    page.goto(f"{site.url}/techniques/psoas-press/")
    expect(page.get_by_role("heading", name="Print it or watch it")).to_be_visible()

    with page.expect_download(timeout=30_000) as download_info:
        page.get_by_role("link", name="Printable instructions (PDF, A4)").click()
    download = download_info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)

    assert download.suggested_filename == "psoas-press.pdf"
    assert saved.read_bytes().startswith(b"%PDF")

    # The Letter version does not overwrite it in the downloads folder.
    with page.expect_download(timeout=30_000) as download_info:
        page.get_by_role("link", name="US Letter version (PDF)").click()
    assert download_info.value.suggested_filename == "psoas-press-letter.pdf"
    expect(page.get_by_role("link", name="Video of the technique")).to_have_count(0)
