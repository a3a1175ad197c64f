"""The e-mail transport, through Django's SMTP backend, against the local SMTP sink."""

from __future__ import annotations

import pytest

from notifications.channels.base import OutboundMessage, TransportError, transport_for


def _notice(to: str = "ada@example.org", **overrides) -> OutboundMessage:
    fields = {
        "to_address": to,
        "subject": "Important notice about your account",
        "text": "We are writing to tell you about a data breach.\nRead it at https://notice.test/n/abc",
        "html": "<p>We are writing to tell you about a <strong>data breach</strong>.</p>",
    }
    return OutboundMessage(**{**fields, **overrides})


def test_email_arrives_with_text_and_html_parts(smtp_server):
    with transport_for("email") as email:
        provider_id = email.send(_notice())

    [mail] = smtp_server.wait_for(1)
    assert mail.rcpt_tos == ["ada@example.org"]
    assert mail.mail_from == "privacy@breachline.test"
    assert mail.message["Subject"] == "Important notice about your account"
    assert mail.message["From"] == "Breachline Privacy <privacy@breachline.test>"
    assert (
        mail.text.strip()
        == "We are writing to tell you about a data breach.\nRead it at https://notice.test/n/abc"
    )
    assert mail.html.strip() == "<p>We are writing to tell you about a <strong>data breach</strong>.</p>"
    assert mail.message["Message-ID"] == provider_id


def test_every_email_gets_its_own_message_id_from_the_senders_domain(smtp_server):
    with transport_for("email") as email:
        ids = [email.send(_notice(to)) for to in ("a@example.org", "b@example.org", "c@example.org")]

    received = [mail.message["Message-ID"] for mail in smtp_server.wait_for(3)]
    assert received == ids
    assert len(set(ids)) == 3
    assert all(message_id.endswith("@breachline.test>") for message_id in ids)


def test_a_given_message_id_and_headers_are_kept(smtp_server):
    with transport_for("email") as email:
        email.send(
            _notice(message_id="<delivery-42@breachline.test>", headers={"X-Breachline-Delivery": "42"})
        )

    [mail] = smtp_server.wait_for(1)
    assert mail.message["Message-ID"] == "<delivery-42@breachline.test>"
    assert mail.message["X-Breachline-Delivery"] == "42"


def test_email_without_html_is_plain_text_only(smtp_server):
    with transport_for("email") as email:
        email.send(_notice(html=""))

    [mail] = smtp_server.wait_for(1)
    assert not mail.message.is_multipart()
    assert mail.html is None
    assert "data breach" in mail.text


def test_recipient_refused_with_550_is_a_permanent_failure(smtp_server):
    smtp_server.refuse("gone@example.org")

    with transport_for("email") as email, pytest.raises(TransportError) as failure:
        email.send(_notice("gone@example.org"))

    assert failure.value.permanent is True
    assert failure.value.code == "550"
    assert "User unknown" in failure.value.detail
    assert smtp_server.messages == []


def test_a_refused_recipient_does_not_stop_the_next_one(smtp_server):
    smtp_server.refuse("gone@example.org")

    with transport_for("email") as email:
        with pytest.raises(TransportError):
            email.send(_notice("gone@example.org"))
        email.send(_notice("ada@example.org"))

    assert [mail.rcpt_tos for mail in smtp_server.wait_for(1)] == [["ada@example.org"]]


def test_transient_451_is_retryable_and_a_later_attempt_arrives(smtp_server):
    smtp_server.fail_next(1)

    with transport_for("email") as email:
        with pytest.raises(TransportError) as failure:
            email.send(_notice())
        email.send(_notice())

    assert failure.value.permanent is False
    assert failure.value.code == "451"
    assert len(smtp_server.wait_for(1)) == 1


def test_an_smtp_server_that_does_not_answer_in_time_is_retryable(smtp_server, settings):
    settings.EMAIL_TIMEOUT = 0.2
    smtp_server.delay_next(1, seconds=1.0)

    with transport_for("email") as email, pytest.raises(TransportError) as failure:
        email.send(_notice())

    assert (failure.value.permanent, failure.value.code) == (False, "timeout")


def test_unreachable_smtp_server_is_retryable(smtp_server):
    smtp_server.stop()

    with transport_for("email") as email, pytest.raises(TransportError) as failure:
        email.send(_notice())

    assert failure.value.permanent is False
    assert failure.value.code == "connection"


# Through an anymail ESP instead of SMTP.


def test_email_through_an_anymail_esp_returns_the_esps_message_id(postmark_server):
    with transport_for("email") as email:
        provider_id = email.send(_notice(metadata={"delivery": "42"}))

    [sent] = postmark_server.messages
    assert provider_id == sent["MessageID"]
    assert sent["To"] == "ada@example.org"
    assert sent["TextBody"].startswith("We are writing to tell you about a data breach.")
    assert sent["HtmlBody"].startswith("<p>We are writing")
    assert sent["Metadata"] == {"delivery": "42"}
    assert any(header["Name"] == "Message-ID" for header in sent["Headers"])


def test_esp_refusing_an_inactive_recipient_is_a_permanent_failure(postmark_server):
    postmark_server.deactivate("gone@example.org")

    with transport_for("email") as email, pytest.raises(TransportError) as failure:
        email.send(_notice("gone@example.org"))

    assert (failure.value.permanent, failure.value.code) == (True, "recipients_refused")


def test_esp_server_error_is_retryable(postmark_server):
    postmark_server.fail_next(1)

    with transport_for("email") as email, pytest.raises(TransportError) as failure:
        email.send(_notice())

    assert (failure.value.permanent, failure.value.code) == (False, "500")


def test_the_sink_counts_messages_per_address_so_a_duplicate_shows(smtp_server):
    with transport_for("email") as email:
        email.send(_notice("ada@example.org"))
        email.send(_notice("bob@example.org"))
        email.send(_notice("ada@example.org"))

    smtp_server.wait_for(3)
    assert smtp_server.received.duplicates() == {"ada@example.org": 2}
