"""pytest fixtures that start each fake and point Django settings at it.

Registered in tests/conftest.py with ``pytest_plugins = ["tests.fakes.fixtures"]``.
Each fixture yields the running fake; its records and failure switches are the
fake's own methods (see smtp.py, twilio.py, push.py).
"""

from __future__ import annotations

import pytest

from tests.fakes.aliyun import FakeAliyunSms
from tests.fakes.jpush import FakeJPush
from tests.fakes.postmark import FakePostmark
from tests.fakes.push import FakeFCM, FakeWebPush, vapid_private_key
from tests.fakes.s3 import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, FakeS3
from tests.fakes.smtp import FakeSMTPServer
from tests.fakes.tencent import FakeTencentSms
from tests.fakes.twilio import FakeTwilio

TEST_FROM_NUMBER = "+15005550006"
TEST_BASE_URL = "http://testserver"


@pytest.fixture
def smtp_server(settings):
    with FakeSMTPServer() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = server.host
        settings.EMAIL_PORT = server.port
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_USE_SSL = False
        settings.EMAIL_TIMEOUT = 5
        settings.DEFAULT_FROM_EMAIL = "Breachline Privacy <privacy@breachline.test>"
        yield server


@pytest.fixture
def postmark_server(settings):
    """An anymail ESP (Postmark) instead of SMTP, as EMAIL_BACKEND can select."""
    with FakePostmark() as server:
        settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
        settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": server.server_token, "POSTMARK_API_URL": server.api_url}
        settings.DEFAULT_FROM_EMAIL = "Breachline Privacy <privacy@breachline.test>"
        yield server


@pytest.fixture
def twilio_server(settings):
    with FakeTwilio() as server:
        settings.TWILIO_ACCOUNT_SID = server.account_sid
        settings.TWILIO_AUTH_TOKEN = server.auth_token
        settings.TWILIO_MESSAGING_SERVICE_SID = ""
        settings.TWILIO_FROM_NUMBER = TEST_FROM_NUMBER
        settings.TWILIO_API_BASE_URL = server.base_url
        # Django's test client serves http://testserver, so a signed callback URL built from
        # this base can be replayed through it and validated against the request's own URL.
        settings.BREACHLINE_BASE_URL = TEST_BASE_URL
        settings.PROVIDER_TIMEOUT_SECONDS = 5.0
        yield server


@pytest.fixture
def fcm_server(settings, tmp_path):
    with FakeFCM() as server:
        settings.FCM_PROJECT_ID = server.project_id
        settings.FCM_CREDENTIALS_FILE = str(
            server.write_service_account(tmp_path / "fcm-service-account.json")
        )
        settings.FCM_API_BASE_URL = server.base_url
        settings.PROVIDER_TIMEOUT_SECONDS = 5.0
        yield server


@pytest.fixture
def webpush_server(settings):
    with FakeWebPush() as server:
        settings.WEBPUSH_VAPID_PRIVATE_KEY = vapid_private_key()
        settings.WEBPUSH_VAPID_SUBJECT = "mailto:privacy@breachline.test"
        settings.PROVIDER_TIMEOUT_SECONDS = 5.0
        yield server


@pytest.fixture
def aliyun_sms_server(settings):
    with FakeAliyunSms() as server:
        settings.ALIYUN_SMS_ACCESS_KEY_ID = server.access_key_id
        settings.ALIYUN_SMS_ACCESS_KEY_SECRET = server.access_key_secret
        settings.ALIYUN_SMS_SIGN_NAME = server.sign_name
        settings.ALIYUN_SMS_ENDPOINT = server.base_url
        settings.PROVIDER_TIMEOUT_SECONDS = 5.0
        yield server


@pytest.fixture
def tencent_sms_server(settings):
    with FakeTencentSms() as server:
        settings.TENCENT_SMS_SECRET_ID = server.secret_id
        settings.TENCENT_SMS_SECRET_KEY = server.secret_key
        settings.TENCENT_SMS_SDK_APP_ID = server.sdk_app_id
        settings.TENCENT_SMS_SIGN_NAME = server.sign_name
        settings.TENCENT_SMS_ENDPOINT = server.base_url
        settings.PROVIDER_TIMEOUT_SECONDS = 5.0
        yield server


@pytest.fixture
def jpush_server(settings):
    with FakeJPush() as server:
        settings.JPUSH_APP_KEY = server.app_key
        settings.JPUSH_MASTER_SECRET = server.master_secret
        settings.JPUSH_ENDPOINT = server.base_url
        settings.PROVIDER_TIMEOUT_SECONDS = 5.0
        yield server


@pytest.fixture
def s3_server(settings):
    """The audit anchors' bucket on a local S3-compatible server."""
    with FakeS3() as server:
        settings.AUDIT_ANCHOR_S3_BUCKET = server.bucket
        settings.AUDIT_ANCHOR_S3_PREFIX = "anchors"
        settings.AUDIT_ANCHOR_S3_ENDPOINT_URL = server.endpoint_url
        settings.AUDIT_ANCHOR_S3_REGION = REGION
        settings.AUDIT_ANCHOR_S3_ACCESS_KEY_ID = ACCESS_KEY_ID
        settings.AUDIT_ANCHOR_S3_SECRET_ACCESS_KEY = SECRET_ACCESS_KEY
        yield server
