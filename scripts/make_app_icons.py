"""Draw the installable app's icons: static/img/app-icon.svg and its 192 and 512 px PNGs.

The favicon's foam roller on the accent colour, drawn full-bleed with the roller well
inside the middle 80 %, so the same picture serves as a maskable icon (the phone
cuts its own shape out of it). Run after changing the geometry; commit the files.
"""

from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parent.parent / "static" / "img"
ACCENT, CREAM = "#1d5c63", "#f4efe6"
# On a 100-unit square: the roller (x, y, width, height, corner radius) and its core.
ROLLER = (20, 38, 60, 24, 12)
CORE = (50, 50, 6)
SUPERSAMPLE = 4


def svg() -> str:
    x, y, w, h, r = ROLLER
    cx, cy, cr = CORE
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
        f'<rect width="100" height="100" fill="{ACCENT}"/>'
        f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{r}" fill="{CREAM}"/>'
        f'<circle cx="{cx}" cy="{cy}" r="{cr}" fill="{ACCENT}"/></svg>\n'
    )


def png(size: int) -> Image.Image:
    big = size * SUPERSAMPLE
    unit = big / 100
    image = Image.new("RGB", (big, big), ACCENT)
    draw = ImageDraw.Draw(image)
    x, y, w, h, r = ROLLER
    draw.rounded_rectangle(
        (x * unit, y * unit, (x + w) * unit, (y + h) * unit), radius=r * unit, fill=CREAM
    )
    cx, cy, cr = CORE
    draw.ellipse(
        ((cx - cr) * unit, (cy - cr) * unit, (cx + cr) * unit, (cy + cr) * unit), fill=ACCENT
    )
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    (STATIC / "app-icon.svg").write_text(svg(), encoding="utf-8")
    for size in (192, 512):
        png(size).save(STATIC / f"app-icon-{size}.png", optimize=True)


if __name__ == "__main__":
    main()
