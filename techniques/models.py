"""The technique catalogue: regions, tools, techniques (releases and stretches), steps, FAQ."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from techniques import illustrations
from techniques.validators import IMAGE_VALIDATORS, VIDEO_VALIDATORS

HEX_COLOUR = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Enter a colour as #rrggbb.")
AFTER_CYCLE_ERROR = "This would make a loop: {chain}. A technique cannot come after itself."
PAIRED_NOT_STRETCH_ERROR = "Pair a technique with a stretch, not with another release."
# Paths under /techniques/ that are not technique pages.
RESERVED_SLUGS = frozenset({"booklet", "comments"})
RESERVED_SLUG_ERROR = "“{slug}” is the address of another page; choose another slug."
SLUG_IS_FORMER_ERROR = "“{slug}” was the address of {technique}, which it still leads to."
FORMER_SLUG_IS_CURRENT_ERROR = "“{slug}” is the current address of {technique}."
PICTURE_INCOMPLETE_ERROR = (
    "Choose the pose, the tool, the contact point and the direction together, "
    "or leave all four empty."
)
PICTURE_PROBLEM_ERROR = "This picture cannot be drawn: {problem}."
#: The four fields the drawn picture of a technique is made from.
PICTURE_FIELDS = ("pose", "pose_tool", "contact_point", "direction")
#: What the illustration tag (techniques/templatetags/illustrations.py) reads besides
#: the name and the region's colour: load these with a technique (``only()``) so showing
#: its picture costs no query.
PICTURE_SHOWN = (*PICTURE_FIELDS, "image", "image_alt")
PICTURE_TABLES = (
    illustrations.POSES,
    illustrations.TOOLS,
    illustrations.CONTACTS,
    illustrations.DIRECTIONS,
)


def _choices(table: dict) -> list[tuple[str, str]]:
    return [(slug, entry.label) for slug, entry in table.items()]


def _one_of(field: str, table: dict) -> Q:
    return Q(**{f"{field}__in": ["", *table]})


class Region(models.Model):
    """A body region worked on one day of the rotation (hip, thigh, calves…)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(
        help_text="Default rotation order: regions are worked through from low to high."
    )
    colour = models.CharField(max_length=7, validators=[HEX_COLOUR], default="#3d5a80")
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('techniques:list')}?region={self.slug}"


class Tool(models.Model):
    """Something a technique is done with: a ball, a foam roller, a yoga block…"""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=60, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TechniqueQuerySet(models.QuerySet):
    def published(self) -> "TechniqueQuerySet":
        return self.filter(is_published=True)

    def releases(self) -> "TechniqueQuerySet":
        return self.filter(kind=Technique.Kind.RELEASE)


class Technique(models.Model):
    """One self-myofascial release technique or stretch, as a member reads it."""

    class Kind(models.TextChoices):
        RELEASE = "release", "Release technique"
        STRETCH = "stretch", "Stretch"

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.RELEASE)
    series = models.CharField(max_length=80, blank=True, help_text="Series or programme name.")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="techniques")
    position = models.PositiveSmallIntegerField(
        default=1, help_text="Order within the region; the daily rotation follows it."
    )
    target_muscles = models.CharField(max_length=255, help_text="Comma-separated.")
    tools = models.ManyToManyField(Tool, related_name="techniques", blank=True)
    summary = models.CharField(
        max_length=160, help_text="What it addresses, in one sentence (also the meta description)."
    )
    why_it_matters = models.TextField(blank=True)
    indications = models.TextField("who it helps", blank=True)
    pressure = models.TextField("pressure guidance", blank=True)
    cautions = models.TextField(blank=True)
    duration_seconds = models.PositiveSmallIntegerField(
        default=90,
        validators=[MinValueValidator(10), MaxValueValidator(1800)],
        help_text="Time per side, or hold time when not done per side.",
    )
    per_side = models.BooleanField(default=True)
    min_frequency_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text="Do it at least once every this many days (more often is better).",
    )
    after = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads_into",
        verbose_name="do this after",
        help_text="A technique that must come first on the same day.",
    )
    paired_stretch = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="paired_with",
        limit_choices_to={"kind": "stretch"},
    )
    pairing_advice = models.TextField(blank=True)
    target_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Stretches: the unbroken, motionless hold to work up to."
    )
    progression = models.TextField(
        blank=True, help_text="Stretches: the prop progression, one stage per line."
    )
    image = models.ImageField(
        upload_to="techniques/images/", blank=True, validators=IMAGE_VALIDATORS
    )
    image_alt = models.CharField("image description", max_length=200, blank=True)
    # The drawn picture of the position (techniques.illustrations); an uploaded image wins.
    pose = models.CharField(
        max_length=30,
        blank=True,
        choices=_choices(illustrations.POSES),
        help_text="How the body lies, sits or stands in the picture.",
    )
    pose_tool = models.CharField(
        "tool in the picture", max_length=20, blank=True, choices=_choices(illustrations.TOOLS)
    )
    contact_point = models.CharField(
        max_length=30,
        blank=True,
        choices=_choices(illustrations.CONTACTS),
        help_text="Where the tool touches the body; its muscle is coloured in the region's colour.",
    )
    direction = models.CharField(
        max_length=20,
        blank=True,
        choices=_choices(illustrations.DIRECTIONS),
        help_text="The arrow: pressing, rolling along the muscle, small circles or resting.",
    )
    video = models.FileField(
        upload_to="techniques/videos/",
        blank=True,
        validators=VIDEO_VALIDATORS,
        help_text="MP4 or WebM.",
    )
    is_published = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TechniqueQuerySet.as_manager()

    class Meta:
        ordering = ["region__position", "position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["release", "stretch"]), name="technique_kind_valid"
            ),
            models.CheckConstraint(condition=~Q(after=F("pk")), name="technique_not_after_itself"),
            models.CheckConstraint(
                condition=~Q(paired_stretch=F("pk")), name="technique_not_paired_with_itself"
            ),
            models.CheckConstraint(
                condition=Q(min_frequency_days__gte=1, min_frequency_days__lte=60),
                name="technique_frequency_range",
            ),
            models.CheckConstraint(
                condition=Q(duration_seconds__gte=10), name="technique_duration_positive"
            ),
            models.CheckConstraint(
                condition=_one_of("pose", illustrations.POSES)
                & _one_of("pose_tool", illustrations.TOOLS)
                & _one_of("contact_point", illustrations.CONTACTS)
                & _one_of("direction", illustrations.DIRECTIONS),
                name="technique_picture_known",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("techniques:detail", kwargs={"slug": self.slug})

    @property
    def is_stretch(self) -> bool:
        return self.kind == self.Kind.STRETCH

    @property
    def muscle_list(self) -> list[str]:
        return [m.strip() for m in self.target_muscles.split(",") if m.strip()]

    @property
    def progression_stages(self) -> list[str]:
        return [line.strip() for line in self.progression.splitlines() if line.strip()]

    @property
    def picture(self) -> dict[str, str] | None:
        """The drawn picture's four values, keyed as ``techniques.illustrations`` takes
        them, or None when they are not all given."""
        values = [getattr(self, name) for name in PICTURE_FIELDS]
        if not all(values):
            return None
        return dict(zip(("pose", "tool", "contact", "direction"), values, strict=True))

    @property
    def picture_description(self) -> str:
        """The drawn picture's text alternative ("Lying face down…"), or "" without one."""
        picture = self.picture
        if picture is None or illustrations.problem(**picture):
            return ""
        return illustrations.describe(**picture)

    def clean(self) -> None:
        # The database refuses a technique that comes after itself; a longer loop
        # (A after B after A) needs a walk up the chain.
        seen = [self.name or "this technique"]
        current = self.after
        while current is not None:
            seen.append(current.name)
            if current.pk == self.pk and self.pk is not None:
                raise ValidationError({"after": AFTER_CYCLE_ERROR.format(chain=" → ".join(seen))})
            current = current.after
        if self.paired_stretch is not None and not self.paired_stretch.is_stretch:
            raise ValidationError({"paired_stretch": PAIRED_NOT_STRETCH_ERROR})
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": RESERVED_SLUG_ERROR.format(slug=self.slug)})
        self._clean_picture()

    def _clean_picture(self) -> None:
        given = [getattr(self, name) for name in PICTURE_FIELDS]
        if not any(given):
            return
        if not all(given):
            raise ValidationError(
                {
                    name: PICTURE_INCOMPLETE_ERROR
                    for name, value in zip(PICTURE_FIELDS, given, strict=True)
                    if not value
                }
            )
        known = all(value in table for value, table in zip(given, PICTURE_TABLES, strict=True))
        # Unknown values are refused by each field's choices already.
        problem = illustrations.problem(**self.picture) if known else None
        if problem is not None:
            raise ValidationError({"pose": PICTURE_PROBLEM_ERROR.format(problem=problem)})

    def validate_unique(self, exclude=None) -> None:
        # A slug must be free among the former slugs of other techniques too, or
        # their old links would open this page; a cross-table rule no index can hold.
        super().validate_unique(exclude=exclude)
        if exclude and "slug" in exclude:
            return
        former = (
            FormerSlug.objects.filter(slug=self.slug)
            .exclude(technique_id=self.pk)
            .select_related("technique")
            .first()
        )
        if former is not None:
            message = SLUG_IS_FORMER_ERROR.format(slug=self.slug, technique=former.technique)
            raise ValidationError({"slug": message})


class Stretch(Technique):
    """Stretches edited on their own admin screen; same table as techniques."""

    class Meta:
        proxy = True
        verbose_name_plural = "stretches"


class Step(models.Model):
    """One numbered instruction of a technique."""

    technique = models.ForeignKey(Technique, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    text = models.TextField()
    image = models.ImageField(
        upload_to="techniques/steps/", blank=True, validators=IMAGE_VALIDATORS
    )
    image_alt = models.CharField("image description", max_length=200, blank=True)

    class Meta:
        ordering = ["technique", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["technique", "position"], name="step_position_unique_per_technique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.technique} — step {self.position}"


class FormerSlug(models.Model):
    """An address a technique had before it was renamed; its old links redirect."""

    slug = models.SlugField(max_length=100, unique=True)
    technique = models.ForeignKey(Technique, on_delete=models.CASCADE, related_name="former_slugs")

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    def clean(self) -> None:
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": RESERVED_SLUG_ERROR.format(slug=self.slug)})
        # Compared with the technique in hand, so that a rename and its old slug can be
        # saved together from the admin, before the new slug reaches the database.
        technique = getattr(self, "technique", None)
        if technique is not None and self.slug == technique.slug:
            message = FORMER_SLUG_IS_CURRENT_ERROR.format(slug=self.slug, technique=technique)
            raise ValidationError({"slug": message})

    def validate_unique(self, exclude=None) -> None:
        super().validate_unique(exclude=exclude)
        if exclude and "slug" in exclude:
            return
        owner = Technique.objects.filter(slug=self.slug).exclude(pk=self.technique_id).first()
        if owner is not None:
            message = FORMER_SLUG_IS_CURRENT_ERROR.format(slug=self.slug, technique=owner)
            raise ValidationError({"slug": message})


class FaqEntry(models.Model):
    """A question and its answer in the technique's "Asked and answered", printed on the handout."""

    technique = models.ForeignKey(Technique, on_delete=models.CASCADE, related_name="faq_entries")
    question = models.TextField()
    answer = models.TextField()
    position = models.PositiveSmallIntegerField(default=1)
    # Where staff promoted it from, when they did (entries may also be written by hand).
    source_comment = models.ForeignKey(
        "questions.Comment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="faq_entries",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["technique", "position", "id"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"

    def __str__(self) -> str:
        return self.question[:60]
