"""PDF builds that may run on a Celery worker."""

from smrsite.celery import app
from techniques import pdf, selectors


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
