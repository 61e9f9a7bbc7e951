"""Slow work runs inline without a broker, on Celery with one, inline again if it is down."""

import logging

import pytest
from celery.result import EagerResult
from django.core import mail

from questions import services, tasks
from smrsite import jobs
from smrsite.celery import app
from techniques import tasks as technique_tasks
from tests.factories import CommentFactory, TechniqueFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def question(user):
    technique = TechniqueFactory(slug="psoas-press", name="Psoas Press")
    return CommentFactory(technique=technique, author=user, body="Daily, or not?")


@pytest.fixture
def celery_conf():
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    _forget_connections()
    yield app.conf
    app.conf.update(saved)
    _forget_connections()


def _forget_connections():
    """Drop pooled broker connections so the next broker URL is really used."""
    app._pool = None
    app.amqp._producer_pool = None


def _reply(question, staff_user, captured):
    with captured(execute=True):
        services.comment_create(
            technique=question.technique, author=staff_user, body="Daily is fine.", parent=question
        )


def test_without_a_broker_notifications_are_sent_inline(
    settings, question, staff_user, django_capture_on_commit_callbacks
):
    """No CELERY_BROKER_URL: the reply's email goes out in the request, after the commit."""
    settings.CELERY_BROKER_URL = ""
    _reply(question, staff_user, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[question.author.email]]


def test_with_a_broker_the_task_is_queued(
    settings, celery_conf, question, staff_user, django_capture_on_commit_callbacks, monkeypatch
):
    """With a broker the email is sent through ``task.delay`` (eager here, as a worker would)."""
    settings.CELERY_BROKER_URL = "memory://"
    celery_conf.update(task_always_eager=True, broker_url="memory://")
    queued = []
    original = tasks.send_notification.delay
    monkeypatch.setattr(
        tasks.send_notification, "delay", lambda *a: queued.append(a) or original(*a)
    )
    _reply(question, staff_user, django_capture_on_commit_callbacks)
    assert queued == [("notify_reply", question.replies.get().pk)]
    assert len(mail.outbox) == 1


def test_enqueue_returns_celery_result_when_a_broker_is_set(settings, celery_conf, question):
    """``enqueue`` hands the task to Celery when a broker is configured."""
    settings.CELERY_BROKER_URL = "memory://"
    celery_conf.update(task_always_eager=True, broker_url="memory://")
    result = jobs.enqueue(tasks.send_notification, "notify_new_question", question.pk)
    assert isinstance(result, EagerResult)


def test_unreachable_broker_falls_back_to_inline(
    settings, celery_conf, question, staff_user, django_capture_on_commit_callbacks, caplog
):
    """A broker that refuses connections is logged and the email is still sent, inline."""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    celery_conf.update(task_always_eager=False, broker_url="redis://127.0.0.1:1/0")
    with caplog.at_level(logging.WARNING, logger="smrsite.jobs"):
        _reply(question, staff_user, django_capture_on_commit_callbacks)
    assert "running it inline" in caplog.text
    assert len(mail.outbox) == 1


def test_a_failing_notification_never_breaks_posting(
    settings, question, staff_user, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    """An error while sending is logged; the reply is stored all the same."""
    settings.CELERY_BROKER_URL = ""

    def broken(comment_id):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setitem(tasks.NOTIFICATIONS, "notify_reply", broken)
    _reply(question, staff_user, django_capture_on_commit_callbacks)
    assert question.replies.count() == 1
    assert "Could not send notify_reply" in caplog.text


def test_build_pdf_task_stores_the_handout_once(settings, tmp_path):
    """The PDF task renders and stores one handout; a second run finds it current."""
    from techniques.pdf import STORAGE_DIR

    technique = TechniqueFactory(slug="quads-roll", name="Quads Roll")
    first = technique_tasks.build_technique_pdf.apply(
        args=(technique.slug, "a4", "https://x.test/")
    ).get()
    again = technique_tasks.build_technique_pdf.apply(
        args=(technique.slug, "a4", "https://x.test/")
    ).get()
    assert first == again
    assert first.startswith(f"{STORAGE_DIR}/quads-roll/")
    assert len(list((settings.MEDIA_ROOT / STORAGE_DIR / "quads-roll").iterdir())) == 1


def test_build_pdfs_queues_one_task_per_pdf_with_a_broker(settings, celery_conf, capsys):
    """With a broker, ``build_pdfs`` hands each handout and booklet to the workers."""
    from django.core.management import call_command

    from techniques.pdf import STORAGE_DIR

    TechniqueFactory(slug="quads-roll", name="Quads Roll")
    settings.CELERY_BROKER_URL = "memory://"
    celery_conf.update(task_always_eager=True, broker_url="memory://")
    call_command("build_pdfs", "--size", "a4", "--no-booklets")
    assert "1 PDF queued for the workers" in capsys.readouterr().out
    assert len(list((settings.MEDIA_ROOT / STORAGE_DIR / "quads-roll").iterdir())) == 1


def test_celery_worker_processes_warm_the_pdf_renderer(monkeypatch):
    """A worker process runs the PDF warm-up when it starts, and survives its failure."""
    from celery.signals import worker_process_init

    from techniques import pdf

    calls = []
    monkeypatch.setattr(pdf, "warm_up", lambda: calls.append("warm"))
    worker_process_init.send(sender=None)
    assert calls == ["warm"]

    def broken():
        raise OSError("no fonts")

    monkeypatch.setattr(pdf, "warm_up", broken)
    worker_process_init.send(sender=None)
