"""Members who live real lives, replayed through ``manage.py simulate_plan``.

Each scenario goes through the same services and selectors as the pages; the
assertions read what "today" showed each day, as a member would have seen it.
"""

import itertools
import json
import random
import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from routines.models import LogEntry, Routine
from techniques.models import Technique

pytestmark = pytest.mark.django_db

FIVE = ["hip", "thigh", "calves", "shoulder", "arms"]
HIP = [
    "glute-ball-roll",
    "side-hip-ball-press",
    "piriformis-ball-press",
    "tfl-ball-press",
    "front-hip-roll",
    "psoas-press",
]
THIGH = [
    "quads-roll",
    "outer-thigh-roll",
    "inner-thigh-roll",
    "hamstring-roll",
    "seated-hamstring-ball-press",
    "inner-quad-ball-press",
]


@pytest.fixture(autouse=True)
def _catalogue(catalogue):
    """Every scenario runs on the seeded catalogue."""


def simulate(tmp_path, scenario: dict, *, keep: str | None = None) -> list[dict]:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario))
    out = StringIO()
    args = [str(path)] + (["--keep", keep] if keep else [])
    call_command("simulate_plan", *args, stdout=out)
    return json.loads(out.getvalue())


def counted(day: dict) -> list[str]:
    return [i["slug"] for i in day["items"] if i["role"] == "technique"]


def assert_plan_rules(days: list[dict]) -> None:
    """What must hold on every day of every plan, whatever the member does."""
    in_pass: set[str] = set()
    region = None
    for day in days:
        slugs = counted(day)
        assert len(slugs) <= 3, day
        regions = {i["region"] for i in day["items"] if i["role"] == "technique"}
        assert len(regions) <= 1, day
        if day["region"] != region:
            region, in_pass = day["region"], set()
        # Counted again within its pass only while it is still unlogged (carried over).
        logged = set(day["logged"]["done"]) | set(day["logged"]["skipped"])
        assert not (set(slugs) & in_pass), day
        in_pass |= logged & set(slugs)


def test_a_half_done_day_carries_the_rest_first_and_the_rotation_moves_on(tmp_path):
    """Ticking one of two leaves the other first the next day; the plan keeps moving."""
    days = simulate(tmp_path, {"start": "2027-01-04", "days": 60, "do": "first"})
    assert counted(days[0]) == ["glute-ball-roll", "side-hip-ball-press"]
    assert counted(days[1])[0] == "side-hip-ball-press"
    planned = {slug for day in days for slug in counted(day)}
    everything = set(
        Technique.objects.published()
        .releases()
        .filter(region__slug__in=FIVE)
        .values_list("slug", flat=True)
    )
    # Half-done days once stalled 27 of 29 techniques forever.
    assert planned == everything
    assert_plan_rules(days)


def test_the_two_items_done_on_different_days_finish_the_step(tmp_path):
    """One item on Monday, the other on Tuesday: Wednesday goes on with the pass."""
    days = simulate(
        tmp_path,
        {
            "start": "2027-01-04",
            "days": 3,
            "events": [
                {"day": 0, "do": ["glute-ball-roll"]},
                {"day": 1, "do": ["side-hip-ball-press"]},
            ],
        },
    )
    assert counted(days[1])[0] == "side-hip-ball-press"
    assert "glute-ball-roll" not in counted(days[2])
    assert "side-hip-ball-press" not in counted(days[2])
    assert counted(days[2])[0] == "piriformis-ball-press"


def test_skipped_items_count_as_logged(tmp_path):
    """A skipped technique is not planned again in the pass."""
    days = simulate(
        tmp_path,
        {
            "start": "2027-01-04",
            "days": 3,
            "events": [{"day": 0, "do": ["glute-ball-roll"], "skip": ["side-hip-ball-press"]}],
        },
    )
    assert days[0]["logged"] == {"done": ["glute-ball-roll"], "skipped": ["side-hip-ball-press"]}
    assert "side-hip-ball-press" not in counted(days[1])


@pytest.mark.parametrize("gap", [3, 30])
def test_missed_days_pile_nothing_up(tmp_path, gap):
    """Back after a break, today is the next unfinished part of the pass, no catch-up day."""
    days = simulate(
        tmp_path,
        {
            "start": "2027-01-04",
            "days": 2 + gap + 14,
            "events": [{"day": d, "do": "none"} for d in range(2, 2 + gap)],
        },
    )
    back = days[2 + gap]
    assert counted(back) == counted(days[2])
    assert all(len(counted(day)) <= 3 for day in days)
    total = sum(len(day["logged"]["done"]) for day in days[2 + gap :])
    # About 2 a day and a lead-in now and then, as for any fortnight: nothing piled up.
    assert total <= 14 * 3
    assert_plan_rules(days)


def test_a_long_break_marks_techniques_last_done_over_14_days_ago_overdue(tmp_path):
    """After 30 days away, what was done before the break shows as overdue."""
    days = simulate(
        tmp_path,
        {
            "start": "2027-01-04",
            "days": 15 + 30 + 3,
            "events": [{"day": d, "do": "none"} for d in range(15, 45)],
        },
    )
    back = days[45]
    assert back["items"]
    assert all(item["overdue"] for item in back["items"] if item["role"] == "technique")
    assert not any(item["overdue"] for day in days[:15] for item in day["items"])


@pytest.mark.parametrize(("before", "after"), [(2, 3), (3, 2)])
def test_changing_the_daily_maximum_mid_pass_skips_and_repeats_nothing(tmp_path, before, after):
    """2 to 3 a day, or 3 to 2, in the middle of thigh: every thigh technique once, then calves."""
    days = simulate(
        tmp_path,
        {
            "start": "2027-01-04",
            "days": 12,
            "routine": {"per_day": before},
            "events": [{"day": 4, "routine": {"per_day": after}}],
        },
    )
    thigh = [slug for day in days if day["region"] == "thigh" for slug in counted(day)]
    assert sorted(thigh) == sorted(THIGH)
    first_calves = next(n for n, day in enumerate(days) if day["region"] == "calves")
    assert all(day["region"] == "thigh" for day in days[first_calves - 1 : first_calves])
    assert_plan_rules(days)


def test_dropping_the_current_region_starts_the_next_one_in_the_old_order(tmp_path):
    """Thigh is dropped mid-pass: calves starts that day; hip is not repeated."""
    days = simulate(
        tmp_path,
        {
            "start": "2027-01-04",
            "days": 6,
            "events": [{"day": 4, "routine": {"regions": ["hip", "calves", "shoulder", "arms"]}}],
        },
    )
    assert [day["region"] for day in days] == ["hip", "hip", "hip", "thigh", "calves", "calves"]


def test_unpublishing_a_technique_mid_pass_leaves_it_out_and_skips_no_day(tmp_path):
    """Staff unpublish a hip technique mid-pass: the rest of hip is done, then thigh."""
    days = simulate(
        tmp_path,
        {
            "start": "2027-01-04",
            "days": 8,
            "events": [{"day": 1, "unpublish": "tfl-ball-press"}],
        },
    )
    hip = [slug for day in days if day["region"] == "hip" for slug in counted(day)]
    assert sorted(hip) == sorted(set(HIP) - {"tfl-ball-press"})
    assert "tfl-ball-press" not in {i["slug"] for day in days[1:] for i in day["items"]}
    thigh = [slug for day in days if day["region"] == "thigh" for slug in counted(day)]
    assert sorted(thigh) == sorted(THIGH)
    # The catalogue change was part of the story only.
    assert Technique.objects.get(slug="tfl-ball-press").is_published


def test_overuse_holds_a_technique_back_on_its_next_turn_and_says_when_it_returns(tmp_path):
    """On a 14-day cycle the next turn comes after 7 days and is still held back."""
    days = simulate(
        tmp_path,
        {
            "start": "2027-01-04",
            "days": 32,
            "events": [{"day": 0, "feedback": {"glute-ball-roll": "overuse"}}],
        },
    )
    next_turn = next(n for n, day in enumerate(days[1:], 1) if day["region"] == "hip" and n > 3)
    assert next_turn > 7
    held = {h["slug"]: h for h in days[next_turn]["held_back"]}
    assert "glute-ball-roll" in held
    assert held["glute-ball-roll"]["reason"] == "it felt more sensitive and moved no better"
    returns = held["glute-ball-roll"]["until"]
    assert returns is not None
    back = next(day for day in days if day["date"] == returns)
    assert "glute-ball-roll" in [i["slug"] for i in back["items"]]
    hip_pass = [slug for day in days[next_turn : next_turn + 3] for slug in counted(day)]
    assert "glute-ball-roll" not in hip_pass
    assert "glute-ball-roll" not in {i["slug"] for day in days[1:next_turn] for i in day["items"]}


def test_overuse_of_a_lead_in_holds_the_technique_that_comes_after_it(tmp_path):
    """Quads Roll felt worse: within 7 days Psoas Press is held back with it, saying why."""
    days = simulate(
        tmp_path,
        {
            "start": "2027-01-04",
            "days": 7,
            "routine": {"regions": ["hip"]},
            "events": [{"day": 2, "feedback": {"quads-roll": "overuse"}}],
        },
    )
    assert "quads-roll" in [i["slug"] for i in days[2]["items"]]
    later = days[3:6]
    assert all("psoas-press" not in [i["slug"] for i in day["items"]] for day in later)
    reasons = {h["slug"]: h["reason"] for day in later for h in day["held_back"]}
    assert reasons["psoas-press"] == "it comes after Quads Roll, which is held back"


@pytest.mark.parametrize(
    ("reports", "advice"),
    [
        # Two techniques felt worse on the same day: one event, no advice.
        (
            [(0, {"glute-ball-roll": "overuse", "side-hip-ball-press": "overuse"})],
            [False] * 5,
        ),
        # Hip on Monday and again on Tuesday: from Wednesday, see a professional.
        (
            [(0, {"glute-ball-roll": "overuse"}), (1, {"front-hip-roll": "overuse"})],
            [False, False, True, True, True],
        ),
        # One report in hip and one in thigh do not add up.
        ([(0, {"glute-ball-roll": "overuse"}), (2, {"quads-roll": "overuse"})], [False] * 5),
    ],
    ids=["same-day", "two-days-one-region", "two-regions"],
)
def test_a_professional_is_suggested_only_for_overuse_on_two_days_in_one_region(
    tmp_path, reports, advice
):
    """Advice counts days with overuse per region over 28 days, not reports."""
    events = [{"day": day, "feedback": feedback} for day, feedback in reports]
    days = simulate(tmp_path, {"start": "2027-01-04", "days": 5, "events": events})
    for day, feedback in reports:
        assert set(feedback) <= set(days[day]["logged"]["done"])
    assert [day["advice"] for day in days] == advice


def test_the_stretch_goes_daily_then_assessment_then_daily_again(tmp_path):
    """Daily with tension; 5 still minutes on the roller make it a check; tension brings it back."""
    days = simulate(
        tmp_path,
        {
            "start": "2027-01-04",
            "days": 20,
            "routine": {"tension": True, "regions": ["thigh", "calves", "shoulder"]},
            "events": [
                {"day": 1, "stretch": {"minutes": 5, "tension": False, "prop": "roller-6in"}},
                {"day": 16, "stretch": {"minutes": 3, "tension": True}},
            ],
        },
    )
    assert [d["stretch"] for d in days[:3]] == ["daily", "daily", "assessment"]
    stretch_days = [
        n
        for n, d in enumerate(days)
        if "supported-corpse-stretch" in [i["slug"] for i in d["items"]]
    ]
    # Daily until the target, then only the check 14 days after it, until tension again.
    assert stretch_days[:2] == [0, 1]
    assert 15 in stretch_days
    assert not set(range(2, 15)) & set(stretch_days)
    assert days[17]["stretch"] == "daily"


def test_a_rotation_longer_than_14_days_warns_and_never_overfills_a_day(tmp_path):
    """All seven regions at 2 a day: an 18-day round, a warning, one region a day."""
    regions = [*FIVE, "back", "foot"]
    days = simulate(tmp_path, {"start": "2027-01-04", "days": 40, "routine": {"regions": regions}})
    assert all(day["cycle_warning"] and day["cycle_days"] > 14 for day in days)
    assert_plan_rules(days)
    assert [day["region"] for day in days].count("back") >= 2


def test_the_design_example_replays_within_the_rules(tmp_path):
    """The scenario of DESIGN.md replays and keeps every rule."""
    scenario = {
        "start": "2027-01-04",
        "days": 60,
        "routine": {"per_day": 2, "regions": FIVE, "tension": True},
        "do": "all",
        "events": [
            {"day": 3, "do": "none"},
            {"day": 4, "do": "first"},
            {"day": 5, "do": ["glute-ball-roll"], "skip": ["tfl-ball-press"]},
            {"day": 6, "feedback": {"calf-roll": "overuse"}},
            {"day": 7, "stretch": {"minutes": 5, "tension": False}},
            {"day": 8, "routine": {"per_day": 3}},
            {"day": 9, "unpublish": "side-hip-ball-press"},
        ],
    }
    days = simulate(tmp_path, scenario)
    assert len(days) == 60
    assert_plan_rules(days)
    assert set(days[0]) == {
        "date",
        "region",
        "items",
        "held_back",
        "advice",
        "cycle_days",
        "cycle_warning",
        "stretch",
        "logged",
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_members_keep_every_rule_and_lose_no_history(tmp_path, seed):
    """Members who do a random part of each day, skip, report overuse and change pace."""
    rng = random.Random(seed)
    events = []
    for day in range(45):
        roll = rng.random()
        event: dict = {"day": day}
        if roll < 0.2:
            event["do"] = "none"
        elif roll < 0.4:
            event["do"] = "first"
        if rng.random() < 0.1:
            event["routine"] = {"per_day": rng.choice([2, 3])}
        if rng.random() < 0.1:
            event["feedback"] = {rng.choice(HIP + THIGH): "overuse"}
        events.append(event)
    regions = rng.sample(FIVE, k=rng.randint(2, 5))
    days = simulate(
        tmp_path,
        {"start": "2027-03-01", "days": 45, "routine": {"regions": regions}, "events": events},
        keep=f"random{seed}",
    )
    assert_plan_rules(days)
    member = get_user_model().objects.get(username=f"random{seed}")
    logged = sum(len(d["logged"]["done"]) + len(d["logged"]["skipped"]) for d in days)
    assert LogEntry.objects.filter(member=member).count() == logged
    seen = [day["region"] for day in days if day["region"]]
    order = [r for n, r in enumerate(seen) if n == 0 or seen[n - 1] != r]
    for previous, following in itertools.pairwise(order):
        assert regions.index(following) == (regions.index(previous) + 1) % len(regions)


def test_nothing_stays_unless_asked_and_kept_members_can_sign_in_by_email(tmp_path):
    """A replay leaves no member behind; --keep keeps one with a verified address."""
    simulate(tmp_path, {"start": "2027-01-04", "days": 2})
    assert not Routine.objects.exists()
    days = simulate(tmp_path, {"start": "2027-01-04", "days": 2}, keep="demo")
    member = get_user_model().objects.get(username="demo")
    assert member.email == "demo@example.com"
    assert not member.has_usable_password()
    assert member.emailaddress_set.get().verified
    logged = sum(len(day["logged"]["done"]) for day in days)
    assert logged == 5  # 2 on Monday, then a lead-in and 2 on Tuesday
    assert LogEntry.objects.filter(member=member).count() == logged


@pytest.mark.parametrize(
    ("scenario", "field"),
    [
        ({"days": 3}, "'start'"),
        ({"start": "2027-02-30", "days": 3}, "'start'"),
        ({"start": "2027-01-04", "days": 0}, "'days'"),
        ({"start": "2027-01-04", "days": 3, "do": "most"}, "'do'"),
        ({"start": "2027-01-04", "days": 3, "routine": {"per_day": 4}}, "'routine.per_day'"),
        ({"start": "2027-01-04", "days": 3, "events": [{"day": 9}]}, "'events[0].day'"),
        (
            {"start": "2027-01-04", "days": 3, "events": [{"day": 1, "feedback": {"x": "ouch"}}]},
            "'events[0].feedback'",
        ),
        ({"start": "2027-01-04", "days": 3, "events": [{"day": 1, "do": ["nope"]}]}, "'nope'"),
        ({"start": "2027-01-04", "days": 3, "routine": {"regions": ["neck"]}}, "'neck'"),
    ],
)
def test_a_bad_scenario_gets_an_error_naming_the_field(tmp_path, scenario, field):
    """Mistakes in a scenario file are named, and nothing is replayed."""
    with pytest.raises(CommandError, match=re.escape(field)):
        simulate(tmp_path, scenario)
    assert not Routine.objects.exists()
