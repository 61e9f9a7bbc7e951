import datetime

import factory
from django.contrib.auth import get_user_model
from django.forms.models import model_to_dict
from django.test import Client

from techniques.models import Region, Step, Technique, Tool


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"member{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"region-{n}")
    name = factory.LazyAttribute(lambda r: r.slug.replace("-", " ").title())
    position = factory.Sequence(lambda n: n + 1)
    colour = "#2f6f5e"


class ToolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tool
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"tool-{n}")
    name = factory.LazyAttribute(lambda t: t.slug.replace("-", " ").title())


class TechniqueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Technique

    name = factory.Sequence(lambda n: f"Technique {n}")
    slug = factory.Sequence(lambda n: f"technique-{n}")
    region = factory.SubFactory(RegionFactory)
    position = factory.Sequence(lambda n: n + 1)
    target_muscles = "Gluteus maximus, gluteus medius"
    summary = "Eases tight glutes."
    why_it_matters = "Tight glutes pull on the pelvis."
    indications = "Stiffness in the hip."
    pressure = "Moderate."
    cautions = "Avoid bone."


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Step

    technique = factory.SubFactory(TechniqueFactory)
    position = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"Do movement number {n}.")


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.Profile"
        django_get_or_create = ["user"]

    user = factory.SubFactory(UserFactory)
    display_name = factory.LazyAttribute(lambda p: p.user.username.title())


class CommentFactory(factory.django.DjangoModelFactory):
    """A published top-level question; pass ``parent=`` for a reply (kind, root, depth follow)."""

    class Meta:
        model = "questions.Comment"

    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"How often should I do this? (question {n})")
    status = "published"
    kind = factory.LazyAttribute(lambda c: "reply" if c.parent else "question")
    parent = None
    root = factory.LazyAttribute(lambda c: (c.parent.root or c.parent) if c.parent else None)
    depth = factory.LazyAttribute(lambda c: c.parent.depth + 1 if c.parent else 0)

    @factory.lazy_attribute
    def technique(self):
        return self.parent.technique if self.parent else TechniqueFactory()


class FaqEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "techniques.FaqEntry"

    technique = factory.SubFactory(TechniqueFactory)
    question = "Can I do this every day?"
    answer = "Yes, as long as the area keeps getting less sensitive."
    position = factory.Sequence(lambda n: n + 1)


class RoutineFactory(factory.django.DjangoModelFactory):
    """A member's routine; ``regions`` (slugs, in order) default to the five core regions."""

    class Meta:
        model = "routines.Routine"
        django_get_or_create = ["member"]
        skip_postgeneration_save = True

    member = factory.SubFactory(UserFactory)
    per_day = 2
    start_date = datetime.date(2026, 3, 2)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        from routines.models import RoutineRegion

        slugs = extracted or ["hip", "thigh", "calves", "shoulder", "arms"]
        found = {r.slug: r for r in Region.objects.filter(slug__in=slugs)}
        RoutineRegion.objects.bulk_create(
            RoutineRegion(routine=self, region=found[slug], position=n)
            for n, slug in enumerate(slugs, start=1)
            if slug in found
        )


class LogEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "routines.LogEntry"

    member = factory.SubFactory(UserFactory)
    technique = factory.SubFactory(TechniqueFactory)
    day = datetime.date(2026, 3, 1)
    status = "done"
    sensitivity = "less"
    movement = "better"


def client_for(user) -> Client:
    """A test client signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client


def technique_change_form(technique, **changes) -> dict:
    """What the admin's technique form posts for ``technique`` unchanged, plus ``changes``.

    Steps and FAQ entries are left as they are; the former slugs are sent back as shown.
    """
    data = {
        field: ("" if value is None else value)
        for field, value in model_to_dict(technique, exclude=["image", "video", "id"]).items()
    }
    data["tools"] = [tool.pk for tool in data["tools"]]
    for prefix in ("steps", "faq_entries"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    formers = list(technique.former_slugs.all())
    data |= {
        "former_slugs-TOTAL_FORMS": str(len(formers)),
        "former_slugs-INITIAL_FORMS": str(len(formers)),
    }
    for n, former in enumerate(formers):
        data |= {
            f"former_slugs-{n}-id": former.pk,
            f"former_slugs-{n}-technique": technique.pk,
            f"former_slugs-{n}-slug": former.slug,
        }
    return data | changes
