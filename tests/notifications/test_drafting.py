"""Drafting from incident facts, rendering per channel and language, and user text as data."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from incidents.errors import Conflict
from incidents.models import AuditEvent
from notifications.notices import rendering, services
from tests.notifications.conftest import assessed

HOSTILE = "Leak {{ secret_key }} {% now 'Y' %} <script>alert(1)</script> & [[name]]"


def reader(jurisdiction="US-CA", name="Mei <Li>"):
    return SimpleNamespace(name=name, personal_url="https://n.example/n/TOKEN/", jurisdiction=jurisdiction)


def test_one_individual_notice_covers_every_jurisdiction_and_each_regulator_gets_its_own(drafted, assessed_incident):
    individuals = [n for n in drafted if n.audience == "individuals"]
    assert len(individuals) == 1
    assert individuals[0].jurisdictions == ["CN", "EU", "SG", "US-CA"]
    assert individuals[0].languages == ["en", "zh-hans", "de"]  # German for the people in Germany
    regulators = [n for n in drafted if n.audience == "regulator"]
    assert all(n.obligations.count() == 1 for n in regulators)
    open_count = assessed_incident.obligations.filter(applies=True, status__in=["open", "overdue"]).count()
    # Duties wait for their clock: the CAC closing report for the end of handling (it is written from the
    # closing facts), California's sample copy for the residents' notice.
    for waiting in ("CN-CAC:closing_report", "US-CA:attorney_general"):
        assert assessed_incident.obligations.get(details__rule_code=waiting).notices.count() == 0
    assert sum(n.obligations.count() for n in drafted) == open_count - 2


def test_drafting_twice_adds_nothing_and_is_audited_once_per_notice(drafted, responder, assessed_incident):
    assert services.notices_draft(actor=responder, incident=assessed_incident) == []
    assert AuditEvent.objects.filter(incident=assessed_incident, action="notice.drafted").count() == len(drafted)


def test_notices_are_drafted_only_once_the_incident_is_assessed(incident, responder):
    with pytest.raises(Conflict, match="assessed"):
        services.notices_draft(actor=responder, incident=incident)


def test_an_outsider_cannot_draft(assessed_incident, outsider):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.notices_draft(actor=outsider, incident=assessed_incident)


def test_the_individual_notice_carries_the_four_promised_elements_and_a_contact(individual_notice):
    text = rendering.render_message(version=individual_notice.current_version, channel="email", language="en",
                                   recipient=reader()).text
    assert "misconfigured cloud database snapshot" in text  # what happened
    assert "took place on or about 25 March 2026, 15:00 PDT (America/Los_Angeles)" in text  # when, local
    assert "discovered it on 27 March 2026, 02:00 PDT (America/Los_Angeles)" in text
    assert "Someone could try to sign in" in text  # possible impact
    assert "Public access revoked" in text  # measures
    assert "Change your password on example.com. Type the address yourself." in text  # credentials
    assert "two-step sign-in" in text
    assert "Watch for fake e-mails" in text and "Never tell anyone a code sent to your phone" in text  # contact data
    assert "Keep your device's software up to date" in text  # device data
    assert "We only write to you from privacy@breachline.invalid. Our links only go to 127.0.0.1:8000." in text
    assert "dpo@example.com" in text and "+65 6000 0000" in text  # contact point


def test_what_you_can_do_follows_the_data_categories(responder, profile):
    incident = assessed(
        responder, title="Card data", aware_at=datetime(2026, 3, 27, 9, 0, tzinfo=UTC),
        affected={"US-CA": 900}, data_categories=["name", "ssn", "payment_card", "access_code"])
    notice = services.notices_draft(actor=responder, incident=incident)[0]
    version = notice.current_version
    advice = rendering.render_message(version=version, channel="email", language="en", recipient=reader()).text
    assert "bank and card statements" in advice
    assert "fraud alert or credit freeze" in advice and "IdentityTheft.gov" in advice
    assert "Change your password" not in advice
    assert "Equifax" in advice and "Equifax" in version.text("en", "credit_bureaus")
    assert "24 months" in version.text("en", "identity_protection_offer")


def test_template_syntax_and_html_typed_by_people_come_out_literally(responder, profile):
    incident = assessed(responder, title="Hostile", description=HOSTILE,
                        aware_at=datetime(2026, 3, 27, 9, 0, tzinfo=UTC), affected={"DE": 10},
                        data_categories=["name", "email_address"])
    notice = services.notices_draft(actor=responder, incident=incident)[0]
    notice = services.notice_edit(actor=responder, notice=notice, language="en",
                                  elements={"alert": "{{ organisation }} {% debug %} <b>x</b>"})
    version = notice.current_version
    for channel in notice.channels:
        message = rendering.render_message(version=version, channel=channel, language="en", recipient=reader())
        if channel in ("email", "letter", "announcement"):
            assert "{{ secret_key }} {% now 'Y' %}" in message.text
            assert "<script>alert(1)</script> &" in message.text
            assert "{{ secret_key }} {% now &#x27;Y&#x27; %}" in message.html
            assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in message.html
            assert "<script>" not in message.html
            assert "Mei &lt;Li&gt;" in message.html and "Mei <Li>" in message.text
        if channel in ("sms", "push"):
            assert "{{ organisation }} {% debug %} <b>x</b>" in message.text


def test_chinese_rendering_is_in_chinese_with_beijing_time(individual_notice):
    message = rendering.render_message(version=individual_notice.current_version, channel="email",
                                      language="zh-Hans", recipient=reader("CN", "王小明"))
    assert "尊敬的王小明：" in message.text
    assert "发生了什么" in message.text and "您可以采取的措施" in message.text
    assert "事件大约发生于 2026年3月26日 06:00（北京时间）" in message.text
    assert "请在 example.com 修改密码。" in message.text
    assert "涉及您的信息：姓名、电子邮件地址" in message.text
    assert "96110" in message.text  # China's anti-fraud line, for readers in China
    sms = rendering.render_message(version=individual_notice.current_version, channel="sms", language="zh-hans",
                                  recipient=reader("CN"))
    assert sms.text == ("Example Cloud Services Pte. Ltd.：一起数据泄露事件涉及您的密码、用户名等。请在example.com修改密码。"
                        "我们绝不会索要密码或验证码。 https://n.example/n/TOKEN/ 核对码 ")


def test_a_language_without_a_text_gets_english(individual_notice):
    message = rendering.render_message(version=individual_notice.current_version, channel="email", language="fr")
    assert message.text.startswith("Notice of Data Breach")
    assert "What Happened" in message.text and "发生了什么" not in message.text


def test_dates_follow_the_readers_jurisdiction(individual_notice):
    version = individual_notice.current_version
    berlin = rendering.render_message(version=version, channel="email", language="en", recipient=reader("DE")).text
    singapore = rendering.render_message(version=version, channel="email", language="en", recipient=reader("SG")).text
    assert "25 March 2026, 23:00 CET (Europe/Berlin)" in berlin
    assert "26 March 2026, 06:00 +08 (Asia/Singapore)" in singapore


def test_without_a_reader_the_personal_fields_stay_placeholders(individual_notice):
    message = rendering.render_message(version=individual_notice.current_version, channel="letter", language="en")
    for placeholder in ("[[name]]", "[[link]]", "[[occurred_at]]", "[[aware_at]]", "[[notice_date]]"):
        assert placeholder in message.text


def test_a_jurisdiction_and_language_override_wins_over_the_default(individual_notice, settings, tmp_path):
    override = tmp_path / "notices" / "individuals" / "CN" / "zh-hans"
    override.mkdir(parents=True)
    (override / "push_title.txt").write_text("重要通知（中国）")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    version = individual_notice.current_version
    assert rendering.render_message(version=version, channel="push", language="zh-hans").subject == "重要通知（中国）"
    assert rendering.render_message(version=version, channel="push", language="en").subject == (
        "Data breach notice from Example Cloud Services Pte. Ltd.")


def test_the_regulator_report_carries_gdpr_33_3_and_a_timeline(eu_regulator_notice):
    text = rendering.render_message(version=eu_regulator_notice.current_version, channel="letter", language="en").text
    assert text.startswith("Notification of a personal data breach to the supervisory authority\n"
                           "Regulation (EU) 2016/679, Art. 33(3) and Art. 27")
    for heading in ("(a) Nature of the breach, categories and approximate numbers of data subjects and of records "
                    "concerned", "(b) Data protection officer or other contact point, and the representative in the "
                    "Union", "(c) Likely consequences", "(d) Measures taken or proposed, including mitigation"):
        assert heading in text
    assert "Approximately 1,202,950 people are concerned" in text
    assert "Incident reference: INC-2026-0001" in text
    # The German authority reads German time, not the EU rule file's Brussels calendar zone.
    assert "Breach discovered: 27 March 2026, 10:00 CET (Europe/Berlin)" in text
    assert "Notification due: 30 March 2026" in text


def test_a_regulator_reads_the_likely_harms_in_the_third_person(drafted, eu_regulator_notice):
    regulator = rendering.render_message(version=eu_regulator_notice.current_version, channel="letter", language="en").text
    assert "Account takeover: the affected people's accounts" in regulator
    assert "your account" not in regulator
    china = next(notice for notice in drafted if notice.audience == "regulator" and notice.jurisdictions == ["CN"])
    chinese = rendering.render_message(version=china.current_version, channel="letter", language="zh-hans").text
    assert "账户被盗用" in chinese
