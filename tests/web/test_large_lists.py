"""Lists that must stay fast on 100,000 reports and 1,000,000 alerts keep their meaning: the
queue's count without counting every alert, newest-first report pages that never repeat or
skip a report, and dashboard referral lists cut at a stated length (docs/benchmarks.md, Web)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from probity.web.alerts.models import Alert, ScanRun
from probity.web.alerts.selectors import alert_queue, alert_queue_count
from probity.web.alerts.services import alert_triage
from probity.web.casework.models import Report
from probity.web.casework.selectors import dashboard_for, report_list, report_list_count
from probity.web.casework.services import report_create

pytestmark = pytest.mark.django_db

REPORT = dict(source="partner_concern", national_category="sexual_misconduct",
              abuse_of_position_sexual_purpose=True, source_evaluation="2",
              intelligence_assessment="B", handling_code="P",
              narrative="Officer contacted a victim after the case closed.",
              received_on=date(2025, 5, 1), subjects=["S0001"])


def test_queue_count_follows_triage(loaded_run, make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("ann", "analyst")
    for status in Alert.Status.values:
        assert alert_queue_count(viewer=analyst, status=status) == \
            alert_queue(viewer=analyst, status=status).count()
    before = alert_queue_count(viewer=analyst)
    assert loaded_run.scored_count == before > 0
    alert = alert_queue(viewer=analyst).first()
    alert_triage(actor=analyst, alert=alert, decision="no_further_action",
                 reason="Contact explained by the officer's role", purpose="triage")
    assert alert_queue_count(viewer=analyst) == before - 1 == alert_queue(viewer=analyst).count()
    assert alert_queue_count(viewer=analyst, status=Alert.Status.NO_FURTHER_ACTION) == 1


def test_queue_count_of_a_run_loaded_before_scored_count(loaded_run, make_user) -> None:  # type: ignore[no-untyped-def]
    analyst = make_user("ann", "analyst")
    expected = alert_queue(viewer=analyst).count()
    ScanRun.objects.filter(pk=loaded_run.pk).update(scored_count=None)
    assert alert_queue_count(viewer=analyst) == expected
    assert ScanRun.objects.get(pk=loaded_run.pk).scored_count == expected  # kept for next time


def test_report_pages_neither_repeat_nor_skip(make_user, client) -> None:  # type: ignore[no-untyped-def]
    analyst, other = make_user("ann", "analyst"), make_user("bob", "analyst")
    mine = {report_create(actor=analyst, **REPORT).pk for _ in range(120)}
    report_create(actor=other, **REPORT)  # not on ann's team
    Report.objects.update(created_at=datetime(2025, 6, 1, tzinfo=UTC))  # all at one instant
    assert report_list_count(viewer=analyst) == 120
    client.force_login(analyst)
    seen: list[int] = []
    for page in (1, 2, 3):
        response = client.get(reverse("casework:report_list"), {"page": page})
        seen += [r.pk for r in response.context["page"].object_list]
        assert response.context["page"].paginator.count == 120
    assert len(seen) == 120 and set(seen) == mine
    assert seen == [r.pk for r in report_list(viewer=analyst)] == sorted(mine, reverse=True)


def test_dashboard_lists_are_cut_and_say_so(make_user, client) -> None:  # type: ignore[no-untyped-def]
    analyst, authority = make_user("ann", "analyst"), make_user("aa", "appropriate_authority")
    board_max = dashboard_for(viewer=authority).list_max
    for _ in range(board_max + 5):
        report_create(actor=analyst, **REPORT).team.add(authority)
    now = datetime.now(UTC)
    for n, pk in enumerate(Report.objects.values_list("pk", flat=True)):
        Report.objects.filter(pk=pk).update(referral_due_at=now - timedelta(hours=1 + n))
    board = dashboard_for(viewer=authority)
    assert len(board.referrals_overdue) == board_max
    dues = [r.referral_due_at for r in board.referrals_overdue]
    assert dues == sorted(dues) and dues[0] == min(Report.objects.values_list(
        "referral_due_at", flat=True))  # most overdue first
    client.force_login(authority)
    page = client.get(reverse("casework:dashboard")).content.decode()
    assert f"The {board_max} most overdue are shown." in page
    assert dict(board.ageing)["over 90 days"] == board_max + 5


def _load_run(tmp_path, scores: list[float]):  # type: ignore[no-untyped-def]
    from probity.web.alerts.loading import scan_run_load

    ranked, evidence = tmp_path / "ranked.csv", tmp_path / "evidence.csv"
    lines = ["rank,staff_id,score,persons_of_concern,reasons"]
    lines += [f"{n},S{n:04d},{score},N{n:04d},repeated look-ups [1.0]"
              for n, score in enumerate(scores, start=1)]
    ranked.write_text("\n".join(lines) + "\n", encoding="utf-8")
    evidence.write_text("staff_id,indicator,nominal_id,incident_id,first_ts,last_ts,count,"
                        "weight,detail\n", encoding="utf-8")
    return scan_run_load(ranked_path=ranked, evidence_path=evidence, actor=None)


def test_queue_pages_by_rank_match_offset_pages(tmp_path, make_user) -> None:  # type: ignore[no-untyped-def]
    from probity.web.alerts.selectors import QUEUE_PAGE_SIZE, alert_queue_page

    analyst = make_user("ann", "analyst")
    # 180 alerts, ties in score, the last 12 scored 0 (never in the queue)
    scores = [round(90 - n // 3, 1) for n in range(168)] + [0.0] * 12
    run = _load_run(tmp_path, scores)
    assert run.ranked_by_score and run.scored_count == 168
    by_rank = {a.rank: a for a in Alert.objects.filter(scan_run=run)}
    for rank in (1, 2, 50, 51, 52, 100, 101, 149, 150, 151, 168):  # around page edges
        alert_triage(actor=analyst, alert=by_rank[rank], decision="no_further_action",
                     reason="Explained by the officer's role", purpose="triage")
    pages = -(-(168 - 11) // QUEUE_PAGE_SIZE)
    seen: list[int] = []
    for number in [*range(1, pages + 1), pages + 5, "x"]:
        fast = alert_queue_page(viewer=analyst, number=number)
        ScanRun.objects.filter(pk=run.pk).update(ranked_by_score=False)
        slow = alert_queue_page(viewer=analyst, number=number)
        ScanRun.objects.filter(pk=run.pk).update(ranked_by_score=True)
        assert [a.pk for a in fast] == [a.pk for a in slow] and fast.number == slow.number
        if isinstance(number, int) and number <= pages:
            seen += [a.rank for a in fast]
    assert seen == sorted(set(range(1, 169)) - {1, 2, 50, 51, 52, 100, 101, 149, 150, 151, 168})


def test_scores_rising_with_rank_fall_back_to_offset(tmp_path, make_user) -> None:  # type: ignore[no-untyped-def]
    from probity.web.alerts.selectors import alert_queue_page

    analyst = make_user("ann", "analyst")
    run = _load_run(tmp_path, [5.0, 7.0, 6.0])
    assert run.ranked_by_score is False
    assert [a.rank for a in alert_queue_page(viewer=analyst)] == [2, 3, 1]  # by score
