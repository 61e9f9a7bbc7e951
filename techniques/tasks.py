"""Slow work that may run on a Celery worker: notification emails and PDF builds."""

import logging

from smrsite.celery import app
from techniques import emails, pdf, selectors

logger = logging.getLogger(__name__)

NOTIFICATIONS = {
    "notify_reply": emails.notify_reply,
    "notify_new_question": emails.notify_new_question,
}


@app.task(name="techniques.send_notification", ignore_result=True)
def send_notification(kind: str, comment_id: int) -> int:
    """Send the emails of ``kind`` about one comment; failures are logged, never raised."""
    try:
        return NOTIFICATIONS[kind](comment_id)
    except Exception:
        logger.exception("Could not send %s for comment %s", kind, comment_id)
        return 0


@app.task(name="techniques.build_technique_pdf", ignore_result=True)
def build_technique_pdf(slug: str, size: str, site_url: str) -> str:
    """Render and store one technique's handout unless its current version is stored."""
    technique = selectors.technique_handouts().get(slug=slug)
    document = pdf.technique_document(technique, size=size, site_url=site_url)
    name, _ = pdf.pdf_store(key=slug, version=document.version, render=document.render)
    return name


@app.task(name="techniques.build_booklet_pdf", ignore_result=True)
def build_booklet_pdf(region_slug: str, size: str, site_url: str) -> str:
    """Render and store one booklet (``region_slug`` "" for the whole catalogue)."""
    region = selectors.region_list().get(slug=region_slug) if region_slug else None
    techniques = list(selectors.technique_handouts(region=region))
    document = pdf.booklet_document(techniques, region=region, size=size, site_url=site_url)
    name, _ = pdf.pdf_store(
        key=pdf.booklet_key(region), version=document.version, render=document.render
    )
    return name
