"""An admin sets the organisation's sender identities on the profile page, one sending domain per line; an
e-mail sender off those domains or a line that is not a domain is refused naming the field."""

from __future__ import annotations

from incidents.models import OrganisationProfile
from tests.notifications.conftest import PROFILE


def test_an_admin_sets_the_senders_one_domain_per_line_and_a_sender_off_them_is_refused(client, admin_user):
    OrganisationProfile.objects.create(**PROFILE)
    client.force_login(admin_user)
    form = client.get("/organisation/").context["form"]
    assert {"email_sender", "sms_sender", "sending_domains"} <= set(form.fields)
    data = {**{name: value for name, value in form.initial.items() if value not in (None, [])},
            "identity_protection_months": 24, "sms_sender": "ExampleCloud",
            "sending_domains": "example.com\nBreach.Example.org\n", "email_sender": "notices@other.example"}
    page = client.post("/organisation/", data)
    assert page.context["form"].errors["email_sender"] == [
        "notices@other.example is not on a sending domain (example.com, breach.example.org): use an address there, "
        "or add its domain to the sending domains."]
    page = client.post("/organisation/", {**data, "sending_domains": "example.com\nhttps://example.org/"})
    assert "Not a domain name: https://example.org/" in page.context["form"].errors["sending_domains"][0]
    response = client.post("/organisation/", {**data, "email_sender": "notices@mail.example.com"}, follow=True)
    assert "Organisation profile saved" in response.content.decode()
    profile = OrganisationProfile.current()
    assert (profile.email_sender, profile.sms_sender, profile.sending_domains) == (
        "notices@mail.example.com", "ExampleCloud", ["example.com", "breach.example.org"])
    assert 'name="sending_domains"' in client.get("/organisation/").content.decode()
    assert "example.com\nbreach.example.org" in client.get("/organisation/").content.decode()
