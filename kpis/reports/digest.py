"""The e-mail digest of a variance report, sent once to each of the plan's recipients.

Who receives it is `strategy.selectors.digest_recipients` (the plan's stakeholders and the
executives over its unit, active ones only), less those without an address or who may not see
the report. Each person's e-mail shows the lines they may see (DESIGN §5). A digest is recorded
with its e-mail in one transaction (`SentDigest`, unique per plan, period and person): a failed
e-mail is tried again when the task retries, a sent one never is, and recomputing the period
sends nothing more.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import User
from kpis.models import ScoreStatus, SentDigest, VarianceReport
from kpis.reports.selectors import report_digest, report_lines, report_sections
from strategy.selectors import digest_recipients


def digest_subject(report: VarianceReport) -> str:
    return f"Variance report ready: {report.plan.name}, {report.period:%B %Y}"


def report_url(report: VarianceReport) -> str:
    """The report's address for links sent by e-mail, on the configured site."""
    return settings.BEARING_SITE_URL + reverse("reports:report", args=[report.pk])


def report_digest_send(*, report: VarianceReport) -> list[SentDigest]:
    """Send the report's digest to each recipient who has not had this period's; those sent."""
    sent = []
    for recipient in digest_recipients(report.plan):
        if not recipient.email or not recipient.has_perm("kpis.view_variancereport", report):
            continue
        with transaction.atomic():
            record, created = SentDigest.objects.get_or_create(
                plan=report.plan, period=report.period, recipient=recipient
            )
            if not created:
                continue
            _digest_email(report, recipient).send()
        sent.append(record)
    return sent


def _digest_email(report: VarianceReport, recipient: User) -> EmailMultiAlternatives:
    lines = report_lines(report, reader=recipient)
    digest = report_digest(lines)
    context = {
        "report": report,
        "recipient": recipient,
        "counts": [(ScoreStatus(status).label, count) for status, count in digest.counts.items()],
        "worst": digest.worst,
        "missing": digest.missing,
        "sections": report_sections(report, reader=recipient),
        "url": report_url(report),
    }
    email = EmailMultiAlternatives(
        subject=digest_subject(report),
        body=render_to_string("kpis/reports/digest_email.txt", context),
        to=[recipient.email],
    )
    html = render_to_string("kpis/reports/digest_email.html", context)
    email.attach_alternative(html, "text/html")
    return email
