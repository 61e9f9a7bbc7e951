"""Pictures of each position, drawn by code from four words of catalogue data.

A technique names a **pose** (how the body lies, sits or stands), a **tool** (ball,
foam roller, block…), a **contact point** (where on the body the tool goes) and a
**direction** (pressing, rolling along, small circles, resting). From those this module
builds a person as a 2-D skeleton seen from the side, the front or above, puts the tool
between the contact point and whatever holds it up (the floor, a chair, a table, a
wall), raises the body until it rests on the tool, colours the target muscle in the
region's colour, adds an arrow for the movement and writes the result as a small SVG.

The same values give the picture's text alternative (:func:`describe`), and
:func:`problem` says in words why a combination cannot be drawn (the tool would float,
or the body would go through the floor or the wall); model validation and the seed
both report it. A new technique gets its picture by naming four values; a new pose is
a function here that places the body for a given lift.

Pure: no Django, no database, no clock. Lengths are centimetres of a person about
165 cm tall, as complex numbers x + yj with y pointing up and the floor at y = 0; only
the SVG output flips y.
"""

import cmath
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from xml.sax.saxutils import quoteattr

# --- The vocabulary the catalogue uses ----------------------------------------------------


@dataclass(frozen=True)
class Tool:
    """A prop as drawn: a circle seen end-on (balls, rollers) or a box (block, book)."""

    label: str
    #: How the text alternative names it: "a ball", "a foam roller"…
    phrase: str
    shape: str  # "ball", "roller", "peanut" or "box"
    #: A round tool's radius twice; a box's half width and half height.
    size: tuple[float, float]


TOOLS: dict[str, Tool] = {
    "ball": Tool("Massage ball", "a ball", "ball", (4.0, 4.0)),
    "soft-ball": Tool("Soft ball", "a soft ball", "ball", (4.6, 4.6)),
    "peanut-ball": Tool("Peanut ball", "a peanut ball", "peanut", (4.4, 4.4)),
    "foam-roller": Tool("Foam roller", "a foam roller", "roller", (6.5, 6.5)),
    "roller-6in": Tool("Large roller (6-inch)", "a 6-inch roller", "roller", (8.5, 8.5)),
    "block": Tool("Yoga block", "a yoga block", "box", (11.5, 5.5)),
    "book": Tool("Hardcover book", "a hardcover book", "box", (12.0, 2.2)),
}


@dataclass(frozen=True)
class Contact:
    """Where the tool touches the body: a point along one body segment.

    ``segment`` is a limb part ("thigh", "shin", "foot", "upper_arm", "forearm",
    "hand") or "trunk" (from the hip joint, t = 0, to the shoulders, t = 1), and ``t``
    is how far along it the tool sits. ``muscle`` is what is coloured as the target:
    (segment, from t, to t) on the same limb.
    """

    label: str
    #: The body part after "under the" or "between the wall and the".
    phrase: str
    segment: str
    t: float
    muscle: tuple[tuple[str, float, float], ...]
    #: The side of the body the contact point is on, which has to face the tool's
    #: support: "front", "back", "side" (outer or inner), "sole", or "" when it turns
    #: with the limb (an arm, a hand).
    faces: str
    #: Which side of the segment the muscle shows on: toward the tool, or (seen from
    #: the side) the body's "back", as the buttock sits behind the hip joint.
    side: str = "tool"


def _contact(
    phrase: str, segment: str, t: float, start: float, end: float, faces: str, **kwargs
) -> Contact:
    """A contact whose muscle lies along its own segment; the label is the phrase."""
    label = kwargs.pop("label", phrase[0].upper() + phrase[1:])
    return Contact(label, phrase, segment, t, ((segment, start, end),), faces, **kwargs)


CONTACTS: dict[str, Contact] = {
    "buttock": _contact("buttock", "trunk", 0.0, -0.1, 0.2, "back", side="back"),
    "side-of-hip": _contact("side of the hip", "trunk", 0.1, -0.05, 0.22, "side"),
    "front-of-hip": _contact("front of the hip", "thigh", 0.1, -0.05, 0.3, "front"),
    "belly": _contact("belly, beside the hip bone", "trunk", 0.28, 0.12, 0.42, "front"),
    "sacrum": _contact("base of the spine", "trunk", 0.0, 0.0, 0.35, "back"),
    "front-of-thigh": _contact("front of the thigh", "thigh", 0.5, 0.12, 0.88, "front"),
    "inner-quad": _contact(
        "inner front of the thigh, above the knee", "thigh", 0.72, 0.4, 0.92, "front"
    ),
    "outer-thigh": _contact("outer thigh", "thigh", 0.5, 0.15, 0.85, "side"),
    "inner-thigh": _contact("inner thigh, above the knee", "thigh", 0.72, 0.2, 0.9, "side"),
    "back-of-thigh": _contact("back of the thigh", "thigh", 0.5, 0.1, 0.88, "back"),
    "calf": _contact("calf", "shin", 0.35, 0.1, 0.62, "back"),
    "lower-calf": _contact("lower calf", "shin", 0.62, 0.4, 0.85, "back"),
    "shin": _contact("front of the shin", "shin", 0.45, 0.12, 0.8, "front"),
    "outer-lower-leg": _contact("outer lower leg", "shin", 0.45, 0.12, 0.8, "side"),
    "upper-back": _contact("upper back", "trunk", 0.78, 0.6, 0.95, "back"),
    "top-of-shoulder": _contact("top of the shoulder blade", "trunk", 0.97, 0.86, 1.08, "back"),
    "shoulder-blade": _contact("middle of the shoulder blade", "trunk", 0.82, 0.7, 0.96, "back"),
    "between-the-blades": _contact(
        "muscle between the shoulder blade and the spine",
        "trunk",
        0.8,
        0.66,
        0.95,
        "back",
        label="Between the shoulder blade and the spine",
    ),
    "lower-shoulder-blade": _contact(
        "lower tip of the shoulder blade", "trunk", 0.66, 0.52, 0.8, "back"
    ),
    "back-of-shoulder": _contact("back of the shoulder", "trunk", 1.0, 0.9, 1.12, "back"),
    "back-of-armpit": _contact("back of the armpit", "trunk", 0.86, 0.72, 0.98, ""),
    "chest": _contact("chest, below the collarbone", "trunk", 0.86, 0.7, 0.98, "front"),
    "side-below-armpit": _contact(
        "side of the upper back, below the armpit", "trunk", 0.8, 0.55, 0.95, "side"
    ),
    "back-of-upper-arm": _contact("back of the upper arm", "upper_arm", 0.7, 0.15, 0.85, ""),
    "front-of-upper-arm": _contact("front of the upper arm", "upper_arm", 0.5, 0.15, 0.85, "front"),
    "forearm-palm-side": _contact(
        "forearm, palm up", "forearm", 0.3, 0.05, 0.75, "", label="Forearm, palm side"
    ),
    "forearm-back": _contact("back of the forearm", "forearm", 0.3, 0.05, 0.75, ""),
    "forearm-thumb-side": _contact("thumb side of the forearm", "forearm", 0.3, 0.05, 0.7, ""),
    "palm": _contact("palm", "hand", 0.45, -0.1, 0.8, "", label="Palm of the hand"),
    "arch": _contact("arch of the foot", "foot", 0.42, 0.1, 0.8, "sole"),
    "inner-arch": _contact("inner edge of the foot", "foot", 0.35, 0.05, 0.8, "sole"),
    "outer-edge-of-foot": _contact("outer edge of the foot", "foot", 0.4, 0.05, 0.85, "sole"),
    "forefoot": _contact("ball of the foot", "foot", 0.78, 0.55, 1.0, "sole"),
}


@dataclass(frozen=True)
class Direction:
    """How the body moves on the tool, as the arrow draws it and the text says it."""

    label: str
    #: What the text says on the floor (or a chair or table), and against a wall;
    #: ``{part}`` is the body part the contact is on.
    on_floor: str
    at_wall: str
    arrow: str  # "press", "along" or "circle"


DIRECTIONS: dict[str, Direction] = {
    "press": Direction("Press and hold", "pressing down", "leaning into it", "press"),
    "roll": Direction(
        "Roll along the muscle", "rolling along the {part}", "moving up and down", "along"
    ),
    "circles": Direction(
        "Small circles", "rolling in small circles", "moving in small circles", "circle"
    ),
    "rest": Direction("Rest still", "resting still", "resting still", "press"),
}

#: Body parts as the text names them.
PART_WORDS = {
    "trunk": "back",
    "neck": "neck",
    "thigh": "thigh",
    "shin": "lower leg",
    "foot": "foot",
    "upper_arm": "upper arm",
    "forearm": "forearm",
    "hand": "hand",
}

# --- The body ---------------------------------------------------------------------------

TRUNK = 50.0  # hip joint to shoulder joint
TRUNK_DRAWN = 45.0  # the trunk's capsule stops short of the shoulders, leaving a neck
NECK = 19.0  # shoulder joint to the centre of the head
HEAD_R = 9.0
THIGH, SHIN = 43.0, 41.0
FOOT, HEEL = 15.0, 4.5  # ankle to toes, ankle back to the heel
UPPER_ARM, FOREARM, HAND = 29.0, 25.0, 9.5
LENGTHS = {"thigh": THIGH, "shin": SHIN, "upper_arm": UPPER_ARM, "forearm": FOREARM}
ANKLE_HEIGHT = 7.0  # standing
FLAT = -8.0  # the angle of a foot standing flat: toes a little lower than the heel

#: Radii at the two ends of each part, seen from the side. From the front or above
#: the trunk is wider, and hips and shoulders sit either side of its axis.
RADII = {
    "trunk": (12.0, 10.5),
    "neck": (4.6, 4.6),
    "thigh": (7.8, 5.4),
    "shin": (5.2, 3.4),
    "foot": (3.6, 2.4),
    "upper_arm": (4.4, 3.6),
    "forearm": (3.6, 2.8),
    "hand": (2.8, 2.1),
}
WIDE_TRUNK_RADII = (12.5, 15.0)
WIDE_HIP_OFFSET, WIDE_SHOULDER_OFFSET = 7.0, 13.0

# Seen from the side with the person facing right, knees bend forward (counter-clockwise
# of the hip-to-ankle line) and elbows backward. Turning the whole figure keeps that
# true: lying face down is a standing figure turned a quarter clockwise.
KNEE, ELBOW = 1, -1

#: Which way the tool is pressed: toward the floor, or a wall on the left or the right.
FLOOR, WALL_LEFT, WALL_RIGHT = -1j, -1 + 0j, 1 + 0j


def _dir(degrees: float) -> complex:
    return cmath.rect(1.0, math.radians(degrees))


def _angle(vector: complex) -> float:
    return math.degrees(cmath.phase(vector))


def _reach(
    root: complex, target: complex, a: float, b: float, bend: int | str
) -> tuple[complex, complex]:
    """Two bones from ``root`` toward ``target``: where the middle joint and the end go.

    ``bend`` is the side the middle joint goes to: 1 counter-clockwise of the line from
    root to target, -1 clockwise, "up" or "down" whichever is higher or lower. A target
    out of reach leaves the limb straight, pointing at it.
    """
    offset = target - root
    distance = min(max(abs(offset), abs(a - b) + 1e-6), a + b - 1e-6)
    cos_root = (a * a + distance * distance - b * b) / (2 * a * distance)
    opening = math.acos(max(-1.0, min(1.0, cos_root)))
    ccw, cw = (root + cmath.rect(a, cmath.phase(offset) + sign * opening) for sign in (1, -1))
    if bend == "up":
        joint = max(ccw, cw, key=lambda j: j.imag)
    elif bend == "down":
        joint = min(ccw, cw, key=lambda j: j.imag)
    else:
        joint = ccw if bend == 1 else cw
    return joint, joint + cmath.rect(b, cmath.phase(target - joint))


def _level_with(root: complex, *, height: float, span: float, towards: int) -> complex:
    """Where a straight limb of length ``span`` from ``root`` reaches ``height``,
    to the right (``towards`` 1) or the left (-1)."""
    drop = root.imag - height
    return complex(root.real + towards * math.sqrt(max(span**2 - drop**2, 1.0)), height)


@dataclass(frozen=True)
class Segment:
    """A capsule from ``a`` to ``b`` whose radius goes from ``r0`` to ``r1``."""

    a: complex
    b: complex
    r0: float
    r1: float

    def at(self, t: float) -> complex:
        return self.a + (self.b - self.a) * t

    def radius(self, t: float) -> float:
        return self.r0 + (self.r1 - self.r0) * min(max(t, 0.0), 1.0)

    @property
    def axis(self) -> complex:
        length = abs(self.b - self.a)
        return (self.b - self.a) / length if length else 1 + 0j


@dataclass
class Figure:
    """A person as named capsules in three depth layers, and what they sit or lean on.

    Parts are named "trunk", "neck" or "<limb>.<part>" where the limb is "near" or
    "far" (drawn in front of or behind the trunk) and the part is e.g. "thigh".
    """

    view: str  # "side", "front" or "top"
    parts: dict[str, tuple[str, Segment]] = field(default_factory=dict)
    shoulder_point: complex = 0j
    head: tuple[complex, complex] | None = None  # centre, and the way the face looks
    #: Horizontal surfaces (height, from x, to x) a tool may stand on besides the floor.
    surfaces: list[tuple[float, float, float]] = field(default_factory=list)
    furniture: list[tuple[str, float, float, float]] = field(default_factory=list)

    def add(self, name: str, layer: str, a: complex, b: complex, radii=None) -> None:
        r0, r1 = radii or RADII[name.rpartition(".")[2]]
        self.parts[name] = (layer, Segment(a, b, r0, r1))

    def segment(self, name: str) -> Segment:
        return self.parts[name][1]

    def trunk(self, pelvis: complex, angle: float, *, head_tilt: float = 0.0) -> None:
        """The trunk from the hip joint at ``angle`` degrees, then the neck and the head."""
        self.shoulder_point = pelvis + TRUNK * _dir(angle)
        radii = None if self.view == "side" else WIDE_TRUNK_RADII
        self.add("trunk", "mid", pelvis, pelvis + TRUNK_DRAWN * _dir(angle), radii)
        head = self.shoulder_point + NECK * _dir(angle + head_tilt)
        self.add("neck", "mid", self.shoulder_point, head)
        # Seen from the side the face looks a quarter turn clockwise of the neck.
        neck = (head - self.shoulder_point) / NECK
        self.head = (head, neck * -1j if self.view == "side" else 0j)

    def _beside(self, joint: complex, side: int, distance: float) -> complex:
        """A hip or shoulder, to one side of the trunk's axis unless seen from the side.

        ``side`` 1 is counter-clockwise of the axis (from hips to shoulders), -1 clockwise.
        """
        if self.view == "side":
            return joint
        return joint + self.segment("trunk").axis * 1j * side * distance

    def hip(self, side: int = 1) -> complex:
        return self._beside(self.segment("trunk").a, side, WIDE_HIP_OFFSET)

    def shoulder(self, side: int = 1) -> complex:
        return self._beside(self.shoulder_point, side, WIDE_SHOULDER_OFFSET)

    def chain(self, limb: str, layer: str, parts: tuple[str, str], points: list[complex]) -> None:
        """Two parts of a limb through three points (hip, knee, ankle or shoulder,
        elbow, wrist)."""
        self.add(f"{limb}.{parts[0]}", layer, points[0], points[1])
        self.add(f"{limb}.{parts[1]}", layer, points[1], points[2])

    def reach(self, limb: str, layer: str, root: complex, target: complex, bones, bend) -> complex:
        """Two bones of a limb from ``root`` reaching for ``target``; where they end.

        ``bones`` names the two parts ("thigh", "shin" or "upper_arm", "forearm").
        """
        joint, end = _reach(root, target, LENGTHS[bones[0]], LENGTHS[bones[1]], bend)
        self.chain(limb, layer, bones, [root, joint, end])
        return end

    def leg(
        self, limb: str, layer: str, ankle: complex, toes: float, *, side: int = 1, bend=KNEE
    ) -> None:
        """A leg from its hip reaching for ``ankle``, the foot pointing ``toes`` degrees."""
        ankle = self.reach(limb, layer, self.hip(side), ankle, ("thigh", "shin"), bend)
        self.foot(limb, layer, ankle, toes)

    def leg_angles(
        self, limb: str, layer: str, thigh: float, shin: float, toes: float, *, side: int = 1
    ) -> None:
        """A leg laid out by the direction of each part, in degrees."""
        hip = self.hip(side)
        knee = hip + THIGH * _dir(thigh)
        ankle = knee + SHIN * _dir(shin)
        self.chain(limb, layer, ("thigh", "shin"), [hip, knee, ankle])
        self.foot(limb, layer, ankle, toes)

    def foot(self, limb: str, layer: str, ankle: complex, toes: float) -> None:
        """A foot from the heel, just behind the ankle, to the toes."""
        forward = _dir(toes)
        self.add(f"{limb}.foot", layer, ankle - forward * HEEL, ankle + forward * FOOT)

    def arm(
        self, limb: str, layer: str, wrist: complex, hand: float, *, side: int = 1, bend=ELBOW
    ) -> None:
        """An arm from its shoulder reaching for ``wrist``, the hand at ``hand`` degrees."""
        bones = ("upper_arm", "forearm")
        wrist = self.reach(limb, layer, self.shoulder(side), wrist, bones, bend)
        self.add(f"{limb}.hand", layer, wrist, wrist + HAND * _dir(hand))

    def arm_angles(
        self, limb: str, layer: str, upper: float, fore: float, hand: float, *, side: int = 1
    ) -> None:
        """An arm laid out by the direction of each part, in degrees."""
        self.arm_from(limb, layer, self.shoulder(side), upper, fore, hand)

    def arm_from(
        self, limb: str, layer: str, shoulder: complex, upper: float, fore: float, hand: float
    ) -> None:
        """An arm from a given shoulder point, laid out by angles."""
        elbow = shoulder + UPPER_ARM * _dir(upper)
        wrist = elbow + FOREARM * _dir(fore)
        self.chain(limb, layer, ("upper_arm", "forearm"), [shoulder, elbow, wrist])
        self.add(f"{limb}.hand", layer, wrist, wrist + HAND * _dir(hand))

    def lowest(self) -> tuple[float, str]:
        """The lowest point of the body's outline, and the part it belongs to."""
        return min(
            (min(s.a.imag - s.r0, s.b.imag - s.r1), name) for name, (_, s) in self.parts.items()
        )

    def through(self, wall_x: float, side: complex, *, skip: str) -> str | None:
        """The first part (other than ``skip``) that crosses a wall on ``side``, if any."""
        for name, (_, s) in self.parts.items():
            for end, radius in ((s.a, s.r0), (s.b, s.r1)):
                overlap = (end.real + side.real * radius - wall_x) * side.real
                if overlap > TOLERANCE and name != skip:
                    return name
        return None


def _part_words(name: str) -> str:
    """A part as people say it: "near.thigh" is "thigh", "far.thigh" the "other thigh"."""
    limb, _, part = name.rpartition(".")
    words = "trunk" if part == "trunk" else PART_WORDS[part]
    return f"other {words}" if limb == "far" else words


# --- The poses -------------------------------------------------------------------------
#
# A pose builds the figure for a ``lift``: how far the part carrying the tool is raised
# off whatever holds it up. :func:`_arrange` finds the lift at which the tool, standing
# on that support, just touches the contact point. Each pose is told the contact, so it
# decides what a lift raises (the hips, a leg, an arm).

SEAT_HEIGHT, SEAT_FRONT, SEAT_BACK = 43.0, 12.0, -28.0
TABLE_HEIGHT, TABLE_EDGE, TABLE_LENGTH = 72.0, 2.0, 70.0

# Lying on the side seen from the front, head to the left: clockwise of the trunk's
# axis is the upper side, counter-clockwise the lower side.
UPPER, LOWER = -1, 1


def _face_down(lift: float, contact: Contact) -> Figure:
    """Lying face down on the forearms, head to the right; the lift raises the hips."""
    fig = Figure("side")
    elbow = complex(0, RADII["forearm"][0])
    shoulder = elbow + UPPER_ARM * _dir(100)
    pelvis = _level_with(shoulder, height=RADII["trunk"][0] + lift, span=TRUNK, towards=-1)
    fig.trunk(pelvis, _angle(shoulder - pelvis), head_tilt=24)
    for limb, ahead in (("far", 3.5), ("near", 0.0)):
        fig.arm(limb, limb, elbow + ahead + FOREARM, 2)
    # Legs straight behind, on the floor or sloping down to it from the tool.
    span = THIGH + SHIN - 0.05
    ankle = _level_with(pelvis, height=RADII["shin"][1] + 0.3, span=span, towards=-1)
    fig.leg("far", "far", ankle - 1 + 2.5j, 181)
    fig.leg("near", "near", ankle, 182)
    return fig


def _face_down_from_above(lift: float, contact: Contact) -> Figure:
    """Face down on the forearms seen from above, head to the right, the near (lower)
    knee bent out to the side so that the inner thigh lies on the floor."""
    fig = Figure("top")
    fig.trunk(complex(0, 40), 0)
    for limb, side in (("far", 1), ("near", -1)):
        shoulder = fig.shoulder(side)
        elbow = shoulder + complex(6, side * 9)
        wrist = elbow + FOREARM * _dir(-side * 6)
        fig.chain(limb, limb, ("upper_arm", "forearm"), [shoulder, elbow, wrist])
        fig.add(f"{limb}.hand", limb, wrist, wrist + HAND * _dir(-side * 12))
    fig.leg_angles("far", "far", 176, 180, 180, side=1)
    hip = fig.hip(-1)
    knee = hip + THIGH * _dir(-62)
    ankle = knee + SHIN * _dir(196)
    fig.chain("near", "near", ("thigh", "shin"), [hip, knee, ankle])
    fig.foot("near", "near", ankle, 190)
    return fig


def _on_back(lift: float, contact: Contact) -> Figure:
    """Lying on the back with the legs long, head to the left; the lift raises the hips."""
    fig = Figure("side")
    pelvis = complex(0, RADII["trunk"][0] + lift)
    rise = (RADII["trunk"][1] - pelvis.imag) / TRUNK
    fig.trunk(pelvis, 180 - math.degrees(math.asin(max(-0.9, min(0.9, rise)))), head_tilt=-6)
    for limb, out in (("far", 3), ("near", 0)):
        # Arms long by the sides, resting on the floor.
        wrist = _level_with(
            fig.shoulder(),
            height=RADII["forearm"][1] + 0.5,
            span=UPPER_ARM + FOREARM - 0.5,
            towards=1,
        )
        fig.arm(limb, limb, wrist + out, -2, bend="up")
    # Heels on the floor, toes up.
    span = THIGH + SHIN - 0.05
    ankle = _level_with(pelvis, height=RADII["foot"][0] + HEEL, span=span, towards=1)
    fig.leg("far", "far", ankle + 1.5 + 1j, 70, bend="up")
    fig.leg("near", "near", ankle, 76, bend="up")
    return fig


def _on_back_knees_bent(lift: float, contact: Contact) -> Figure:
    """Lying on the back with the knees bent and the hands behind the head, head to the
    left; the lift raises the shoulders over the tool, the hips stay just off the floor."""
    fig = Figure("side")
    pelvis = complex(0, RADII["trunk"][0] + 3)
    rise = (RADII["trunk"][1] + lift - pelvis.imag) / TRUNK
    fig.trunk(pelvis, 180 - math.degrees(math.asin(max(-0.9, min(0.9, rise)))), head_tilt=-14)
    head = fig.head[0]
    # Both arms drawn behind the head, so it shows between the elbows.
    for limb, out in (("far", 2), ("near", 0)):
        fig.arm(limb, "far", head - 3 - 6j + out, 200, bend="up")
    ankle = complex(pelvis.real + 50, ANKLE_HEIGHT)
    fig.leg("far", "far", ankle + 5, FLAT, bend="up")
    fig.leg("near", "near", ankle, FLAT, bend="up")
    return fig


def _side_trunk(fig: Figure, top: complex, pelvis_height: float) -> None:
    """A trunk lying on its side, seen from the front, head to the left, its top at
    ``top``, tilted so that the pelvis sits at ``pelvis_height``."""
    rise = (top.imag - pelvis_height) / TRUNK
    angle = 180 - math.degrees(math.asin(max(-0.95, min(0.95, rise))))
    fig.trunk(top - TRUNK * _dir(angle), angle, head_tilt=-8)


def _on_side(lift: float, contact: Contact) -> Figure:
    """Lying on the right side propped on the forearm, seen from the front, head to the
    left; the lift raises the hips and the lower leg.

    Parts that point toward the viewer are drawn shortened: the lower forearm on the
    floor, the upper thigh crossing in front to a foot planted before the lower knee.
    """
    fig = Figure("front")
    elbow = complex(0, RADII["forearm"][0])
    low_shoulder = elbow + UPPER_ARM * _dir(90)
    # The lower thigh lies on the floor, a hip's width below the middle of the pelvis.
    pelvis_height = WIDE_HIP_OFFSET + RADII["thigh"][0] + lift
    # The trunk's top is a shoulder's width above the lower shoulder, across the axis:
    # find the axis from the lower shoulder first, then place the trunk.
    _side_trunk(fig, low_shoulder, pelvis_height)
    up = fig.segment("trunk").axis * 1j * UPPER
    _side_trunk(fig, low_shoulder + up * WIDE_SHOULDER_OFFSET, pelvis_height)
    low_shoulder = fig.shoulder(LOWER)
    fig.chain("far", "far", ("upper_arm", "forearm"), [low_shoulder, elbow, elbow - 9])
    fig.add("far.hand", "far", elbow - 9, elbow - 9 - HAND * 0.8)
    # The upper hand on the upper hip, the elbow pointing up.
    top_shoulder = fig.shoulder(UPPER)
    hand = fig.hip(UPPER) + 2j - 4
    elbow = top_shoulder + (hand - top_shoulder) * 0.45 + 17j
    fig.chain("near", "near", ("upper_arm", "forearm"), [top_shoulder, elbow, hand])
    fig.add("near.hand", "near", hand, hand + HAND * _dir(-110))
    low_hip = fig.hip(LOWER)
    span = THIGH + SHIN - 0.05
    ankle = _level_with(low_hip, height=RADII["shin"][1] + 0.5, span=span, towards=1)
    if contact.segment == "shin":
        # Raised a little at the ankle, so the lower leg can rest on the tool.
        ankle = low_hip + (ankle - low_hip) * _dir(3)
    fig.leg("far", "far", ankle, 6, side=LOWER, bend="up")
    # The upper leg crosses in front: the thigh comes toward us, so it looks short.
    top_hip = fig.hip(UPPER)
    knee = top_hip + complex(24, 3)
    foot = complex(knee.real + 10, ANKLE_HEIGHT - 1)
    fig.chain("near", "near", ("thigh", "shin"), [top_hip, knee, foot])
    fig.foot("near", "near", foot, -5)
    return fig


def _on_side_arm_overhead(lift: float, contact: Contact) -> Figure:
    """Lying on the right side with the lower arm stretched overhead along the floor and
    the knees a little bent, seen from the front, head to the left; the lift raises the
    shoulders and that arm."""
    fig = Figure("front")
    _side_trunk(
        fig,
        complex(-TRUNK, WIDE_TRUNK_RADII[1] + lift),
        WIDE_HIP_OFFSET + RADII["thigh"][0],
    )
    reach = 180 + math.degrees(math.asin(min(0.6, lift / 45))) * 0.5
    fig.arm_angles("far", "far", reach - 3, reach - 6, reach - 6, side=LOWER)
    # The upper arm resting along the body, the hand on the upper hip.
    top_shoulder = fig.shoulder(UPPER)
    hand = fig.hip(UPPER) + 3j
    elbow = top_shoulder + (hand - top_shoulder) * 0.5 + 3j
    fig.chain("near", "near", ("upper_arm", "forearm"), [top_shoulder, elbow, hand])
    fig.add("near.hand", "near", hand, hand + HAND * _dir(-20))
    # Legs stacked, knees a little bent toward us.
    for limb, side, rise in (("far", LOWER, 0.0), ("near", UPPER, 1.0)):
        hip = fig.hip(side)
        knee = complex(hip.real + 36, RADII["thigh"][1] + 0.5 + rise * 9)
        ankle = complex(knee.real + 34, RADII["shin"][1] + 0.5 + rise * 6)
        fig.chain(limb, limb, ("thigh", "shin"), [hip, knee, ankle])
        fig.foot(limb, limb, ankle, 5)
    return fig


def _sitting(lift: float, contact: Contact, *, legs: str) -> Figure:
    """Sitting on the floor leaning back on the hands, facing right; the lift raises the
    hips, and with them the legs when the tool is under a leg.

    ``legs``: "long", "bent" (feet flat) or "crossed" (the near ankle over the far knee).
    """
    fig = Figure("side")
    pelvis = complex(0, RADII["trunk"][0] + lift)
    fig.trunk(pelvis, 116, head_tilt=-24)
    shoulder = fig.shoulder()
    for limb, back in (("far", 4), ("near", 0)):
        fig.arm(limb, limb, complex(shoulder.real - 16 - back, RADII["hand"][0] + 0.5), 185, bend=1)
    if legs == "long":
        span = THIGH + SHIN - 0.05
        if contact.segment in ("thigh", "shin"):
            # Level on the tool, the other ankle crossed over the near shin for weight.
            ankle = pelvis + span
            fig.leg("near", "near", ankle, 72)
            fig.leg("far", "far", ankle - 6 + (RADII["shin"][1] * 2 + 0.5) * 1j, 68)
        else:
            ankle = _level_with(pelvis, height=RADII["shin"][1] + 1, span=span, towards=1)
            fig.leg("near", "near", ankle, 72)
            fig.leg("far", "far", ankle + 2.5 + 1j, 68)
        return fig
    ankle = complex(pelvis.real + 54, ANKLE_HEIGHT)
    fig.leg("far", "far", ankle + 5, FLAT)
    if legs == "crossed":
        # Figure four: the near knee turned out toward us, so the thigh looks short, and
        # the ankle resting across the far knee.
        far_knee = fig.segment("far.thigh").b
        hip = fig.hip()
        knee = hip + THIGH * 0.7 * _dir(38)
        cross = far_knee + 2 + (RADII["thigh"][1] + RADII["shin"][1] - 1) * 1j
        fig.chain("near", "near", ("thigh", "shin"), [hip, knee, cross])
        fig.foot("near", "near", cross, 10)
    else:
        fig.leg("near", "near", ankle, FLAT)
    return fig


def _chair(fig: Figure) -> None:
    fig.surfaces.append((SEAT_HEIGHT, SEAT_BACK, SEAT_FRONT))
    fig.furniture.append(("chair", SEAT_BACK, SEAT_FRONT, SEAT_HEIGHT))


def _on_chair(lift: float, contact: Contact) -> Figure:
    """Sitting upright on a chair, facing right, hands on the thighs; the lift raises
    the near foot, or the near knee when the tool is under the thigh."""
    fig = Figure("side")
    _chair(fig)
    pelvis = complex(-10, SEAT_HEIGHT + RADII["trunk"][0] - 1)
    fig.trunk(pelvis, 86, head_tilt=-6)
    for limb, ahead in (("far", 7.0), ("near", 0.0)):
        raised = lift if limb == "near" else 0.0
        if contact.segment == "thigh" and raised:
            # Sitting on the tool: the knee rises with it and the lower leg hangs.
            knee = pelvis + THIGH * _dir(math.degrees(math.asin(min(0.9, raised / THIGH))) - 8)
            fig.chain(limb, limb, ("thigh", "shin"), [pelvis, knee, knee + SHIN * _dir(-86)])
            fig.foot(limb, limb, knee + SHIN * _dir(-86), FLAT)
            continue
        foot_up = raised if contact.segment == "foot" else 0.0
        ankle = complex(pelvis.real + THIGH + 6 + ahead, ANKLE_HEIGHT + foot_up)
        fig.leg(limb, limb, ankle, -2 if foot_up else FLAT)
    for limb, ahead in (("far", 4), ("near", 0)):
        fig.arm(limb, limb, fig.segment(f"{limb}.thigh").at(0.75) + ahead + 8j, -20)
    return fig


def _at_table(lift: float, contact: Contact) -> Figure:
    """Sitting at a table, facing right, the near forearm (or hand) on the tool and the
    other hand on top of it; the lift raises that forearm or hand."""
    fig = Figure("side")
    _chair(fig)
    fig.surfaces.append((TABLE_HEIGHT, TABLE_EDGE, TABLE_EDGE + TABLE_LENGTH))
    fig.furniture.append(("table", TABLE_EDGE, TABLE_EDGE + TABLE_LENGTH, TABLE_HEIGHT))
    pelvis = complex(-12, SEAT_HEIGHT + RADII["trunk"][0] - 1)
    fig.trunk(pelvis, 80, head_tilt=-22)
    shoulder = fig.shoulder()
    for limb, ahead in (("far", 6), ("near", 0)):
        fig.leg(limb, limb, complex(pelvis.real + THIGH + 6 + ahead, ANKLE_HEIGHT), FLAT)
    if contact.segment == "hand":
        wrist = complex(TABLE_EDGE + 24, TABLE_HEIGHT + RADII["hand"][0] + 1 + lift)
        fig.arm("near", "near", wrist, 0)
        under = fig.segment("near.hand")
    else:
        elbow = _level_with(
            shoulder, height=TABLE_HEIGHT + RADII["forearm"][0] + lift, span=UPPER_ARM, towards=1
        )
        fig.chain(
            "near", "near", ("upper_arm", "forearm"), [shoulder, elbow, elbow + FOREARM * _dir(-4)]
        )
        wrist = fig.segment("near.forearm").b
        fig.add("near.hand", "near", wrist, wrist + HAND * _dir(-8))
        under = fig.segment("near.forearm")
    top = under.at(0.55) + (under.radius(0.55) + RADII["hand"][0] + 1) * 1j
    fig.arm("far", "far", top - 4, -10)
    return fig


def _standing(lift: float, contact: Contact, *, wall: complex) -> Figure:
    """Standing with soft knees a half step from a wall (behind or in front), leaning a
    few degrees toward it. Nothing to lift: the wall goes where the tool is."""
    fig = Figure("side")
    facing_wall = wall == WALL_RIGHT
    pelvis = complex(0, 86)
    fig.trunk(pelvis, 84 if facing_wall else 97, head_tilt=-4)
    step = -12 if facing_wall else 12
    for limb, apart in (("far", 5), ("near", 0)):
        fig.leg(limb, limb, complex(pelvis.real + step + apart, ANKLE_HEIGHT), FLAT)
    if facing_wall and contact.segment == "upper_arm":
        # Turned a little so the arm hangs in front of the chest, the forearm folded up
        # across it: the front of the upper arm meets the wall before the chest does.
        shoulder = fig.shoulder() + fig.segment("trunk").axis * -1j * 11
        fig.arm_from("near", "near", shoulder, -92, 118, 125)
    elif facing_wall:
        # The arm slides up the wall beside the tool.
        fig.arm_angles("near", "near", 62, 98, 100)
    else:
        fig.arm_angles("near", "near", -80, -70, -72)
    fig.arm_angles("far", "far", -95, -86, -86)
    return fig


def _standing_side_on(lift: float, contact: Contact) -> Figure:
    """Standing side-on to a wall on the left, seen from the front. With the tool at the
    hip the hip leans into the wall and the shoulders stay away from it; with the tool
    high on the trunk the whole body leans in."""
    fig = Figure("front")
    span = THIGH + SHIN - 0.3
    out = 11.0
    pelvis = complex(0, ANKLE_HEIGHT + math.sqrt(span**2 - out**2))
    high = contact.segment == "trunk" and contact.t > 0.5
    fig.trunk(pelvis, 97 if high else 84, head_tilt=-5 if high else 4)
    # Seen from the front with the axis pointing up, counter-clockwise is the wall side.
    for limb, side in (("far", -1), ("near", 1)):
        ankle = complex(fig.hip(side).real + out + (3 if side == -1 else 0), ANKLE_HEIGHT)
        fig.leg(limb, limb, ankle, 160 if side == 1 else -20, side=side, bend=side)
    fig.arm_angles("far", "far", -84, -88, -90, side=-1)
    return fig


def _hand_on_wall(fig: Figure, wall_x: float, contact: Contact) -> None:
    """The wall-side arm: up the wall, nearly straight, when the tool is high on the
    trunk; otherwise resting across the belly, clear of the tool."""
    shoulder = fig.shoulder(1)
    if contact.segment == "trunk" and contact.t > 0.5:
        across = shoulder.real - (wall_x + RADII["hand"][0] + 1.5)
        span = UPPER_ARM + FOREARM - 1.5
        target = shoulder + complex(-across, math.sqrt(max(span**2 - across**2, 1.0)))
        fig.arm("near", "near", target, 90, side=1)
    else:
        fig.arm_angles("near", "near", -75, -55, -70, side=1)


def _all_fours(lift: float, contact: Contact) -> Figure:
    """Kneeling on all fours, facing right; the lift raises the near shin, level, with
    its knee."""
    fig = Figure("side")
    hand = complex(0, RADII["hand"][0])
    shoulder = hand + complex(-3, UPPER_ARM + FOREARM + 1)
    knee = complex(shoulder.real - TRUNK + 1, RADII["shin"][0])
    pelvis = knee + THIGH * _dir(86)
    fig.trunk(pelvis, _angle(shoulder - pelvis), head_tilt=-20)
    for limb, back in (("far", 4), ("near", 0)):
        fig.arm(limb, limb, hand - back, 0)
    fig.leg_angles("far", "far", 266, 180, 182)
    raised = complex(knee.real + 1.5, knee.imag + lift) - pelvis
    near_knee = pelvis + raised / abs(raised) * THIGH
    fig.chain("near", "near", ("thigh", "shin"), [pelvis, near_knee, near_knee - SHIN])
    fig.foot("near", "near", near_knee - SHIN, 184)
    return fig


@dataclass(frozen=True)
class Pose:
    """A way of lying, sitting or standing, and how the tool is held against the body."""

    label: str
    #: How the text alternative starts: "Lying face down on the forearms".
    phrase: str
    #: Which way the tool is pushed: toward the floor, or a wall on the left or right.
    support: complex
    build: Callable[[float, Contact], Figure]
    #: The limb that carries the tool: "near", or "far" (the lower one, lying on the side).
    contact_limb: str = "near"
    #: Adds what depends on where the wall ended up (a hand on it).
    finish: Callable[[Figure, float, Contact], None] | None = None


POSES: dict[str, Pose] = {
    "face-down": Pose(
        "Face down on the forearms", "Lying face down on the forearms", FLOOR, _face_down
    ),
    "face-down-knee-out": Pose(
        "Face down, one knee out to the side (seen from above)",
        "Lying face down on the forearms with one knee bent out to the side",
        FLOOR,
        _face_down_from_above,
    ),
    "on-back": Pose(
        "On the back, legs long", "Lying on the back with the legs long", FLOOR, _on_back
    ),
    "on-back-knees-bent": Pose(
        "On the back, knees bent",
        "Lying on the back with the knees bent",
        FLOOR,
        _on_back_knees_bent,
    ),
    "on-side": Pose(
        "On the side, propped on the forearm",
        "Lying on the side, propped on the forearm with the top foot on the floor",
        FLOOR,
        _on_side,
        contact_limb="far",
    ),
    "on-side-arm-overhead": Pose(
        "On the side, lower arm overhead",
        "Lying on the side with the lower arm stretched overhead",
        FLOOR,
        _on_side_arm_overhead,
        contact_limb="far",
    ),
    "sitting-legs-long": Pose(
        "Sitting, legs long, hands behind",
        "Sitting on the floor with the legs long and the hands behind",
        FLOOR,
        lambda lift, contact: _sitting(lift, contact, legs="long"),
    ),
    "sitting-knees-bent": Pose(
        "Sitting, knees bent, hands behind",
        "Sitting on the floor with the knees bent and the hands behind",
        FLOOR,
        lambda lift, contact: _sitting(lift, contact, legs="bent"),
    ),
    "sitting-figure-four": Pose(
        "Sitting, one ankle over the other knee",
        "Sitting on the floor with one ankle crossed over the other knee",
        FLOOR,
        lambda lift, contact: _sitting(lift, contact, legs="crossed"),
    ),
    "chair": Pose("Sitting on a chair", "Sitting on a chair", FLOOR, _on_chair),
    "table": Pose("Sitting at a table", "Sitting at a table", FLOOR, _at_table),
    "wall-back": Pose(
        "Standing, back to a wall",
        "Standing with the back to a wall",
        WALL_LEFT,
        lambda lift, contact: _standing(lift, contact, wall=WALL_LEFT),
    ),
    "wall-facing": Pose(
        "Standing, facing a wall",
        "Standing facing a wall",
        WALL_RIGHT,
        lambda lift, contact: _standing(lift, contact, wall=WALL_RIGHT),
    ),
    "wall-side": Pose(
        "Standing side-on to a wall",
        "Standing side-on to a wall",
        WALL_LEFT,
        _standing_side_on,
        finish=_hand_on_wall,
    ),
    "all-fours": Pose("Kneeling on all fours", "Kneeling on all fours", FLOOR, _all_fours),
}


# --- Putting the tool in place ----------------------------------------------------------

LIFT_LIMIT = 70.0
#: How far (cm) a tool may float above its support, or the body sink into the floor or
#: a wall, before the combination is refused as one that cannot be drawn.
TOLERANCE = 1.5


class IllustrationError(ValueError):
    """Catalogue values that name something unknown or cannot be drawn."""


@dataclass(frozen=True)
class Scene:
    """A figure with its tool in place."""

    figure: Figure
    contact_part: str  # the name of the part carrying the tool
    tool_centre: complex
    wall_x: float | None


def _tool_depth(tool: Tool, support: complex) -> float:
    """How far the tool reaches from its centre toward the support."""
    width, height = tool.size
    return height if tool.shape == "box" and support == FLOOR else width


def _surface_below(figure: Figure, point: complex) -> float:
    """The height of the highest surface under ``point``: the floor, a seat, a table."""
    heights = [
        h for h, x0, x1 in figure.surfaces if x0 <= point.real <= x1 and h <= point.imag + TOLERANCE
    ]
    return max([0.0, *heights])


def _tool_against(figure: Figure, part: str, contact: Contact, tool: Tool, support: complex):
    """Where the tool's centre goes: just clear of the contact point, toward the support."""
    segment = figure.segment(part)
    reach = segment.radius(contact.t) + _tool_depth(tool, support)
    return segment.at(contact.t) + support * reach


#: Seen from the side with the person facing right, the front of each part is a quarter
#: turn from its axis (trunk: hips to shoulders; limbs: from the body outward), and the
#: sole a quarter turn clockwise from the heel-to-toe line. True however the figure lies.
_FRONT_TURN = {"trunk": -1j, "thigh": 1j, "shin": 1j, "upper_arm": 1j, "forearm": 1j}


def _turned_away(figure: Figure, segment: Segment, contact: Contact, support: complex) -> str:
    """Why the contact point cannot meet the tool in this pose ("" when it can): the
    side of the body it is on has to face the floor (or the wall) the tool rests on."""
    if not contact.faces or figure.view == "top":
        return ""
    toward = "the floor" if support == FLOOR else "the wall"
    if contact.faces == "sole":
        facing = segment.axis * -1j if figure.view == "side" else support
    elif figure.view == "side":
        if contact.faces == "side":
            return (
                f"a side view cannot show the {contact.phrase} against {toward}: "
                "choose a pose seen from the front (lying on the side, or side-on to a wall)"
            )
        if contact.segment not in _FRONT_TURN:
            return ""
        front = segment.axis * _FRONT_TURN[contact.segment]
        facing = front if contact.faces == "front" else -front
    else:
        if contact.faces != "side":
            return (
                f"in this pose the {contact.phrase} faces the viewer, not {toward}: "
                "choose a pose seen from the side"
            )
        return ""
    if (facing * support.conjugate()).real < 0.3:
        return f"in this pose the {contact.phrase} does not face {toward}"
    return ""


def _arrange(pose: Pose, tool: Tool, contact: Contact) -> Scene:
    """The pose with the body resting on the tool, or :class:`IllustrationError` saying
    why it cannot be drawn."""
    part = "trunk" if contact.segment == "trunk" else f"{pose.contact_limb}.{contact.segment}"
    depth = _tool_depth(tool, pose.support)
    figure = pose.build(0.0, contact)
    if part not in figure.parts:
        raise IllustrationError(
            f"in this pose nothing can hold a tool against the {contact.phrase}"
        )
    turned_away = _turned_away(figure, figure.segment(part), contact, pose.support)
    if turned_away:
        raise IllustrationError(turned_away)
    if figure.view == "top":
        # Seen from above the tool lies under the contact point, partly hidden.
        return Scene(figure, part, figure.segment(part).at(contact.t), None)

    if pose.support != FLOOR:
        centre = _tool_against(figure, part, contact, tool, pose.support)
        wall_x = centre.real + pose.support.real * depth
        if pose.finish is not None:
            pose.finish(figure, wall_x, contact)
        crossing = figure.through(wall_x, pose.support, skip=part)
        if crossing is not None:
            raise IllustrationError(
                f"the {_part_words(crossing)} would go through the wall "
                f"with the tool at the {contact.phrase}"
            )
        return Scene(figure, part, centre, wall_x)

    def gap(lift: float) -> tuple[float, Figure, complex]:
        """How far the tool would float above what holds it up (negative: sink into it)."""
        figure = pose.build(lift, contact)
        centre = _tool_against(figure, part, contact, tool, FLOOR)
        # The surface under where the tool meets the body, not under the tool's centre,
        # which may already be below the table top it should stand on.
        return centre.imag - depth - _surface_below(figure, centre + depth * 1j), figure, centre

    low, figure, centre = gap(0.0)
    if low > TOLERANCE:
        raise IllustrationError(
            f"in this pose the {contact.phrase} does not rest on anything a tool could stand on"
        )
    if low < 0:
        if gap(LIFT_LIMIT)[0] < 0:
            raise IllustrationError(f"in this pose the {contact.phrase} cannot rest on the tool")
        below, above = 0.0, LIFT_LIMIT
        for _ in range(40):
            middle = (below + above) / 2
            below, above = (middle, above) if gap(middle)[0] < 0 else (below, middle)
        _, figure, centre = gap(above)
    lowest, name = figure.lowest()
    if lowest < -TOLERANCE:
        raise IllustrationError(
            f"the {_part_words(name)} would go through the floor "
            f"with the tool under the {contact.phrase}"
        )
    return Scene(figure, part, centre, None)


@lru_cache(maxsize=256)
def _scene(pose: Pose, tool: Tool, contact: Contact) -> Scene:
    return _arrange(pose, tool, contact)


def arrangement(*, pose: str, tool: str, contact: str) -> Scene:
    """The figure with its tool in place, as :func:`draw` draws it (for checks and tools).

    Raises :class:`IllustrationError` for values :func:`problem` refuses.
    """
    found_pose, found_tool, found_contact, _ = _lookup(pose, tool, contact, "press")
    return _scene(found_pose, found_tool, found_contact)


# --- Checking and describing catalogue values --------------------------------------------


def _lookup(pose: str, tool: str, contact: str, direction: str):
    unknown = [
        f"unknown {what} “{value}” (choose one of: {', '.join(table)})"
        for what, value, table in (
            ("pose", pose, POSES),
            ("tool", tool, TOOLS),
            ("contact point", contact, CONTACTS),
            ("direction", direction, DIRECTIONS),
        )
        if value not in table
    ]
    if unknown:
        raise IllustrationError("; ".join(unknown))
    return POSES[pose], TOOLS[tool], CONTACTS[contact], DIRECTIONS[direction]


def problem(*, pose: str, tool: str, contact: str, direction: str) -> str | None:
    """Why these four values cannot be drawn, in words, or None when they can."""
    try:
        found_pose, found_tool, found_contact, _ = _lookup(pose, tool, contact, direction)
        _scene(found_pose, found_tool, found_contact)
    except IllustrationError as error:
        return str(error)
    return None


def describe(*, pose: str, tool: str, contact: str, direction: str) -> str:
    """The picture's text alternative in plain English, from the same four values.

    ``describe(pose="face-down", tool="ball", contact="front-of-hip", direction="press")``
    is "Lying face down on the forearms, a ball under the front of the hip, pressing down."
    """
    found_pose, found_tool, found_contact, found_direction = _lookup(pose, tool, contact, direction)
    if found_pose.support == FLOOR:
        place, movement = f"under the {found_contact.phrase}", found_direction.on_floor
    else:
        place, movement = (
            f"between the wall and the {found_contact.phrase}",
            found_direction.at_wall,
        )
    movement = movement.format(part=PART_WORDS[found_contact.segment])
    return f"{found_pose.phrase}, {found_tool.phrase} {place}, {movement}."


# --- Drawing ----------------------------------------------------------------------------

OUTLINE, OUTLINE_WIDTH = "#5b6873", 1.3
FILLS = {"far": "#cdd5dc", "mid": "#e2e7eb", "near": "#eef1f4"}
TOOL_FILL, TOOL_SHADE = "#3b4852", "#7d8c98"
ARROW = "#143f44"
GROUND = "#a9b4bd"
FURNITURE_FILL, FURNITURE_LINE = "#dde2e6", "#8d99a3"
NEUTRAL_MUSCLE = "#6b7884"
#: Width / height of a picture: a tall pose is widened to the first, a long one given
#: room up to the second, so that pictures side by side look alike.
ASPECTS = (1.5, 2.4)
PADDING = 5.0
HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return "0" if text in ("0.0", "-0.0") else text.removesuffix(".0")


def _pt(point: complex) -> str:
    return f"{_n(point.real)} {_n(-point.imag)}"


def _arc(centre: complex, radius: float, start: float, sweep: float) -> str:
    """Path curves along a circle from angle ``start`` turning by ``sweep`` (radians).

    Cubic Béziers of at most half a turn rather than SVG arcs: PDF has no arcs, and
    WeasyPrint spends several times longer converting an arc than drawing a curve.
    """
    pieces = max(1, math.ceil(abs(sweep) / math.pi - 1e-9))
    step = sweep / pieces
    reach = 4 / 3 * math.tan(step / 4) * radius
    commands = []
    for piece in range(pieces):
        angle = start + piece * step
        p0 = centre + cmath.rect(radius, angle)
        p3 = centre + cmath.rect(radius, angle + step)
        c1 = p0 + cmath.rect(reach, angle + math.pi / 2)
        c2 = p3 - cmath.rect(reach, angle + step + math.pi / 2)
        commands.append(f"C{_pt(c1)} {_pt(c2)} {_pt(p3)}")
    return "".join(commands)


def _circle_path(centre: complex, radius: float) -> str:
    return f"M{_pt(centre + radius)}{_arc(centre, radius, 0.0, 2 * math.pi)}Z"


def _capsule_path(segment: Segment) -> str:
    """A capsule as one closed path: two end circles joined by their outer tangents.

    Every shape runs counter-clockwise (here, with y up), so overlapping shapes in one
    path add up rather than cut holes in each other.
    """
    a, b, r0, r1 = segment.a, segment.b, segment.r0, segment.r1
    length = abs(b - a)
    if length <= abs(r0 - r1) + 0.01:
        return _circle_path(*((a, r0) if r0 >= r1 else (b, r1)))
    base = cmath.phase(b - a)
    spread = math.acos((r0 - r1) / length)
    return (
        f"M{_pt(a + cmath.rect(r0, base - spread))}L{_pt(b + cmath.rect(r1, base - spread))}"
        f"{_arc(b, r1, base - spread, 2 * spread)}"
        f"L{_pt(a + cmath.rect(r0, base + spread))}"
        f"{_arc(a, r0, base + spread, 2 * math.pi - 2 * spread)}Z"
    )


@dataclass
class _Canvas:
    """SVG elements, and the box (SVG coordinates) they cover."""

    elements: list[str] = field(default_factory=list)
    box: list[float] = field(default_factory=lambda: [math.inf, math.inf, -math.inf, -math.inf])

    def cover(self, point: complex, radius: float = 0.0) -> None:
        x, y = point.real, -point.imag
        left, top, right, bottom = self.box
        self.box = [
            min(left, x - radius),
            min(top, y - radius),
            max(right, x + radius),
            max(bottom, y + radius),
        ]

    def add(self, element: str) -> None:
        self.elements.append(element)


def _draw_body(canvas: _Canvas, figure: Figure, layer: str) -> None:
    """One depth layer: its whole outline first, then its whole fill, so no seams show
    where its parts join."""
    segments = [segment for part_layer, segment in figure.parts.values() if part_layer == layer]
    paths = [_capsule_path(segment) for segment in segments]
    for segment in segments:
        canvas.cover(segment.a, segment.r0 + OUTLINE_WIDTH)
        canvas.cover(segment.b, segment.r1 + OUTLINE_WIDTH)
    if layer == "mid" and figure.head is not None:
        centre, facing = figure.head
        paths.append(_circle_path(centre, HEAD_R))
        if facing:
            paths.append(_circle_path(centre + facing * (HEAD_R - 0.4), 2.3))  # the nose
        canvas.cover(centre, HEAD_R + 2)
    if not paths:
        return
    joined = "".join(paths)
    canvas.add(
        f'<path d="{joined}" fill="{OUTLINE}" stroke="{OUTLINE}" '
        f'stroke-width="{_n(2 * OUTLINE_WIDTH)}" stroke-linejoin="round"/>'
    )
    canvas.add(f'<path d="{joined}" fill="{FILLS[layer]}"/>')


def _muscle_side(scene: Scene, contact: Contact, segment: Segment, toward_tool: complex):
    if contact.side == "back" and scene.figure.view == "side":
        # Seen from the side, the back of the trunk is counter-clockwise of its axis.
        return segment.axis * 1j
    return toward_tool


def _draw_muscle(
    canvas: _Canvas, scene: Scene, contact: Contact, toward_tool: complex, colour: str
) -> None:
    """The target muscle in the region's colour, inside the outline so the edge shows."""
    limb = scene.contact_part.rpartition(".")[0]
    shapes = []
    for name, t0, t1 in contact.muscle:
        segment = scene.figure.segment(name if name == "trunk" else f"{limb}.{name}")
        side = _muscle_side(scene, contact, segment, toward_tool)
        inner0, inner1 = segment.radius(t0) - 1.6, segment.radius(t1) - 1.6
        shapes.append(
            _capsule_path(
                Segment(
                    segment.at(t0) + side * inner0 * 0.3,
                    segment.at(t1) + side * inner1 * 0.3,
                    inner0 * 0.7,
                    inner1 * 0.7,
                )
            )
        )
    canvas.add(f'<path d="{"".join(shapes)}" fill="{colour}" fill-opacity="0.88"/>')


def _circle(centre: complex, radius: float, attributes: str) -> str:
    return f'<circle cx="{_n(centre.real)}" cy="{_n(-centre.imag)}" r="{_n(radius)}" {attributes}/>'


def _draw_tool(canvas: _Canvas, tool: Tool, centre: complex, support: complex) -> None:
    """The tool seen end-on: a ball with a highlight, a roller with its core, a box."""
    width, height = tool.size
    if tool.shape == "box":
        if support != FLOOR:
            width, height = height, width
        x, y = centre.real - width, -(centre.imag + height)
        canvas.add(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(2 * width)}" height="{_n(2 * height)}" '
            f'rx="1" fill="{TOOL_FILL}"/>'
        )
        if min(width, height) < 3:  # a book: the edge of its pages
            canvas.add(
                f'<rect x="{_n(x + 1)}" y="{_n(y + 0.9)}" width="{_n(2 * width - 1.8)}" '
                f'height="{_n(2 * height - 1.8)}" fill="#e9e4d8"/>'
            )
        canvas.cover(centre, max(width, height) + 1)
        return
    canvas.add(_circle(centre, width, f'fill="{TOOL_FILL}"'))
    if tool.shape == "roller":
        core = f'fill="none" stroke="{TOOL_SHADE}" stroke-width="1.2"'
        canvas.add(_circle(centre, width * 0.58, core))
    elif tool.shape == "peanut":
        canvas.add(_circle(centre, width * 0.45, f'fill="{TOOL_SHADE}"'))
    else:
        canvas.add(_circle(centre + width * 0.35 * (-1 + 1j), width * 0.28, f'fill="{TOOL_SHADE}"'))
    canvas.cover(centre, width + 1)


def _draw_tool_from_above(canvas: _Canvas, tool: Tool, centre: complex) -> None:
    """The tool seen from above: a roller lies lengthwise along the body."""
    if tool.shape != "roller":
        _draw_tool(canvas, tool, centre, FLOOR)
        return
    radius, length = tool.size[0], 46.0
    canvas.add(
        f'<rect x="{_n(centre.real - length / 2)}" y="{_n(-centre.imag - radius)}" '
        f'width="{_n(length)}" height="{_n(2 * radius)}" rx="{_n(radius * 0.5)}" '
        f'fill="{TOOL_FILL}"/>'
    )
    canvas.cover(centre - length / 2, radius)
    canvas.cover(centre + length / 2, radius)


def _arrow_head(tip: complex, towards: complex) -> str:
    back = -towards / abs(towards)
    left, right = tip + back * (4.2 + 2.6j), tip + back * (4.2 - 2.6j)
    return f'<path d="M{_pt(tip)}L{_pt(left)}L{_pt(right)}Z" fill="{ARROW}"/>'


def _draw_arrow(
    canvas: _Canvas, scene: Scene, contact: Contact, direction: Direction, toward_tool: complex
) -> None:
    """The movement, on the side of the body away from the tool (or beside the muscle)."""
    segment = scene.figure.segment(scene.contact_part)
    centre, radius = segment.at(contact.t), segment.radius(contact.t)
    away = -toward_tool
    if direction.arrow != "press" and contact.side == "back" and scene.figure.view == "side":
        # Behind the body, beside the muscle, rather than over the body.
        away = _muscle_side(scene, contact, segment, toward_tool)
    line = f'stroke="{ARROW}" stroke-width="1.9" fill="none" stroke-linecap="round"'
    if direction.arrow == "press":
        start, tip = centre + away * (radius + 17), centre + away * (radius + 3.5)
        canvas.add(f'<path d="M{_pt(start)}L{_pt(tip + away * 3)}" {line}/>')
        canvas.add(_arrow_head(tip, tip - start))
        canvas.cover(start, 3)
    elif direction.arrow == "along":
        axis, middle = segment.axis, centre + away * (radius + 6)
        one, two = middle - axis * 11, middle + axis * 11
        canvas.add(f'<path d="M{_pt(one + axis * 3)}L{_pt(two - axis * 3)}" {line}/>')
        canvas.add(_arrow_head(one, -axis) + _arrow_head(two, axis))
        canvas.cover(one, 4)
        canvas.cover(two, 4)
    else:
        middle, r = centre + away * (radius + 9), 5.5
        start, sweep = math.radians(110), -math.radians(270)
        canvas.add(
            f'<path d="M{_pt(middle + cmath.rect(r, start))}{_arc(middle, r, start, sweep)}" '
            f"{line}/>"
        )
        # Turning clockwise, the way on is a quarter turn clockwise of the radius.
        onward = _dir(math.degrees(start + sweep) - 90)
        canvas.add(_arrow_head(middle + cmath.rect(r, start + sweep) + onward, onward))
        canvas.cover(middle, r + 4)


def _draw_furniture(canvas: _Canvas, figure: Figure) -> None:
    style = f'fill="{FURNITURE_FILL}" stroke="{FURNITURE_LINE}" stroke-width="1.2"'

    def board(x: float, top: float, width: float, height: float) -> None:
        canvas.add(
            f'<rect x="{_n(x)}" y="{_n(-top)}" width="{_n(width)}" height="{_n(height)}" '
            f'rx="1" {style}/>'
        )
        canvas.cover(complex(x, top))
        canvas.cover(complex(x + width, top - height))

    for kind, start, end, height in figure.furniture:
        board(start, height, end - start, 4)  # the seat or the table top
        if kind == "chair":
            board(start + 1, height - 4, 3, height - 4)
            board(end - 4, height - 4, 3, height - 4)
            board(start - 3, height + 38, 4, 42)  # the chair's back
        else:
            board(end - 12, height - 4, 4, height - 4)


def _frame(canvas: _Canvas) -> tuple[float, float, float, float]:
    """The view box around everything drawn, widened or heightened to the aspects."""
    left, top, right, bottom = canvas.box
    left, top = left - PADDING, top - PADDING
    width, height = right + PADDING - left, bottom + PADDING - top
    narrowest, widest = ASPECTS
    if width / height < narrowest:
        grow = height * narrowest - width
        left, width = left - grow / 2, width + grow
    elif width / height > widest:
        grow = width / widest - height
        top, height = top - grow, height + grow
    return left, top, width, height


def draw(
    *, pose: str, tool: str, contact: str, direction: str, colour: str, labelled: bool = True
) -> str:
    """The picture as an SVG element (no XML declaration), ready to put in HTML.

    ``colour`` is the region's ``#rrggbb``; anything else draws the muscle in grey, so
    the markup only ever holds values this module made. ``labelled`` gives the SVG the
    role of an image named by :func:`describe`; without it the SVG is hidden from
    assistive technology, for a picture whose description is written beside it.
    Raises :class:`IllustrationError` for values :func:`problem` refuses. Kept per set
    of arguments, since the picture depends on nothing else.
    """
    if not isinstance(colour, str) or not HEX_COLOUR.match(colour):
        colour = NEUTRAL_MUSCLE
    return _draw(pose, tool, contact, direction, colour.lower(), labelled)


@lru_cache(maxsize=512)
def _draw(pose: str, tool: str, contact: str, direction: str, colour: str, labelled: bool) -> str:
    found_pose, found_tool, found_contact, found_direction = _lookup(pose, tool, contact, direction)
    scene = _scene(found_pose, found_tool, found_contact)
    figure = scene.figure
    canvas = _Canvas()
    from_above = figure.view == "top"
    toward_tool = found_pose.support
    if from_above:
        # Nothing in the picture holds the tool up: it lies under the body, drawn first,
        # and the arrow goes beside the contact point.
        toward_tool = figure.segment(scene.contact_part).axis * -1j
        _draw_tool_from_above(canvas, found_tool, scene.tool_centre)
    _draw_furniture(canvas, figure)
    contact_layer = figure.parts[scene.contact_part][0]
    for layer in ("far", "mid", "near"):
        _draw_body(canvas, figure, layer)
        if layer == contact_layer:
            _draw_muscle(canvas, scene, found_contact, 0j if from_above else toward_tool, colour)
    if not from_above:
        # Over the body, which only touches it: the tool is what the picture is about.
        _draw_tool(canvas, found_tool, scene.tool_centre, toward_tool)
    _draw_arrow(canvas, scene, found_contact, found_direction, toward_tool)

    left, top, width, height = _frame(canvas)
    ground = ""
    if not from_above:
        ground = (
            f'<path d="M{_n(left)} 0.8H{_n(left + width)}" stroke="{GROUND}" stroke-width="1.6"/>'
        )
    if scene.wall_x is not None:
        thickness = 6.0
        x = scene.wall_x - thickness if toward_tool == WALL_LEFT else scene.wall_x
        ground = (
            f'<rect x="{_n(x)}" y="{_n(top)}" width="{_n(thickness)}" height="{_n(-top)}" '
            f'fill="{FURNITURE_FILL}" stroke="{GROUND}" stroke-width="1.2"/>' + ground
        )
    if labelled:
        text = describe(pose=pose, tool=tool, contact=contact, direction=direction)
        naming = f'role="img" aria-label={quoteattr(text)}'
    else:
        naming = 'aria-hidden="true" focusable="false"'
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="{_n(left)} {_n(top)} {_n(width)} {_n(height)}" {naming}>'
        f"{ground}{''.join(canvas.elements)}</svg>"
    )
