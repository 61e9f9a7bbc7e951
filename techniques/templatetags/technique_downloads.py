"""The "Print it or watch it" block of a technique page."""

from django import template

from techniques.pdf import has_video

register = template.Library()


@register.inclusion_tag("techniques/_downloads.html")
def technique_downloads(technique):
    """PDF links always; the video link only when the video file is really there."""
    return {"technique": technique, "has_video": has_video(technique)}
