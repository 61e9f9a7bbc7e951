import pytest

from questions.text import comment_normalise, comment_to_html


def test_paragraphs_and_line_breaks_are_kept():
    """A blank line starts a paragraph; a single line break stays a line break."""
    assert comment_to_html("one\ntwo\n\nthree") == "<p>one<br>two</p><p>three</p>"


def test_urls_become_links_marked_as_user_content():
    """Bare URLs link with rel="nofollow ugc noopener"; trailing punctuation stays outside."""
    html = comment_to_html("See https://example.org/a?b=1&c=2.")
    assert (
        '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">'
        "https://example.org/a?b=1&amp;c=2</a>." in html
    )


def test_www_links_get_a_scheme():
    """A www. address links over https."""
    assert 'href="https://www.example.org"' in comment_to_html("www.example.org")


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<img src=x onerror="alert(1)">', "<img"),
        ('"><svg onload=alert(1)>', "<svg"),
        ("<a href='javascript:alert(1)'>x</a>", "<a href='javascript"),
        ("javascript:alert(1)", "href"),
        ('http://x.org"onmouseover="alert(1)', 'x.org"onmouseover'),
        ("<b>bold</b>", "<b>"),
        ("<p", "<p<"),
    ],
)
def test_markup_is_shown_as_text_never_as_markup(text, absent):
    """Whatever a member types, no tag or attribute of theirs reaches the page."""
    html = comment_to_html(text)
    assert absent not in html
    assert html.startswith("<p>")


def test_bidi_controls_are_removed():
    """Right-to-left overrides cannot make text read backwards."""
    assert comment_normalise("\u202egpj.exe\u2066x\u2069") == "gpj.exex"


def test_windows_line_ends_are_normalised():
    """CRLF from browsers is stored as LF."""
    assert comment_normalise("  a\r\nb\r\n ") == "a\nb"
