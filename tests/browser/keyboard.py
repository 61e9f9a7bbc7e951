"""A person using only the keyboard: Tab, Shift+Tab, Space and Enter, and typing text.

``Keyboard`` never clicks and never presses an arrow key, so a step that needs the mouse
or the arrows cannot be done through it: ``tab_to`` fails when Tab never reaches the
control. Every press is counted, for the figures in the README.
"""

from dataclasses import dataclass, field

from playwright.sync_api import expect

ALLOWED_KEYS = ("Tab", "Shift+Tab", "Space", "Enter", "Escape")
IS_FOCUSED = "(el) => el === document.activeElement"


class NotReachable(AssertionError):
    """Tab went all the way round without reaching the control."""


@dataclass
class Keyboard:
    page: object
    presses: int = 0  # Tab, Shift+Tab, Space, Enter, Escape
    typed: int = 0  # characters typed into fields
    log: list[str] = field(default_factory=list)

    def press(self, key: str) -> None:
        if key not in ALLOWED_KEYS:
            raise ValueError(f"{key} is not a key this person uses")
        self.page.keyboard.press(key)
        self.presses += 1

    def type(self, text: str) -> None:
        """Type into the focused field, as a person would, character by character."""
        self.page.keyboard.type(text)
        self.typed += len(text)

    def focused(self, locator) -> bool:
        return locator.count() == 1 and locator.evaluate(IS_FOCUSED)

    def tab_to(self, locator, *, backwards: bool = False, limit: int = 80) -> int:
        """Press Tab (or Shift+Tab) until ``locator`` has focus; the presses it took."""
        for count in range(1, limit + 1):
            self.press("Shift+Tab" if backwards else "Tab")
            if self.focused(locator):
                self.log.append(f"{count} × {'Shift+Tab' if backwards else 'Tab'} to {locator}")
                return count
        raise NotReachable(f"Tab never reached {locator} in {limit} presses")

    def fill(self, locator, text: str) -> None:
        """Tab to a field and type into it."""
        self.tab_to(locator)
        self.type(text)

    def activate(self, locator, *, key: str = "Enter") -> None:
        """Tab to a control and press Enter (links, buttons) or Space (checkboxes)."""
        self.tab_to(locator)
        self.press(key)

    def start_page(self, url: str) -> None:
        """Open an address (from the address bar, or a link in an email)."""
        self.page.goto(url)
        self.page.wait_for_load_state("load")


SKIP_TO_LOG = "Skip to today’s log"


def log_today(kb: Keyboard, *, minutes: str = "3") -> list[str]:
    """On "today", from page load: skip to the log, mark each item done (less sensitive,
    moves better), type the stretch's minutes and press Enter to save. The items' names.

    Each question is one button that Space moves to its next answer (static/js/daylog.js).
    """
    page = kb.page
    kb.activate(page.get_by_role("link", name=SKIP_TO_LOG))
    items = page.locator("li.plan-item:has([data-log-choice])")
    names = []
    for n in range(items.count()):
        item = items.nth(n)
        name = item.get_by_role("heading", level=2).inner_text().strip()
        names.append(name)
        for question, answer in (
            (f"{name}: Did you do it?", "Done"),
            ("How does the area feel now?", "Less sensitive"),
            ("How does it move?", "Moves better"),
        ):
            button = item.get_by_role("button", name=question)
            kb.tab_to(button)
            kb.press("Space")
            expect(button).to_have_accessible_name(f"{question} {answer}")
    kb.fill(page.get_by_role("spinbutton", name="Unbroken, motionless minutes"), minutes)
    kb.press("Enter")  # Enter in a text field sends its form
    return names
