"""The local fakes in a process of their own, counting instead of keeping every message.

Started by bench/fanout.py. Prints one JSON line with the fakes' addresses and
credentials, then serves until stdin closes. ``GET /stats`` on the stats port
answers, per channel, how many messages arrived and for how many distinct
addresses (every benchmark person has their own), so duplicates show as
``total - distinct``. ``POST /reset`` zeroes the counts. ``POST /fail`` with
``{"channel": "sms", "count": 200, "status": 429}`` opens a failure window: the channel's fake
answers its next ``count`` calls with that status (SMTP: a transient 451), as bench/reliability.py uses.
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Protocol

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fakes.aliyun import FakeAliyunSms  # noqa: E402
from tests.fakes.jpush import FakeJPush  # noqa: E402
from tests.fakes.ledger import Ledger  # noqa: E402
from tests.fakes.push import FakeFCM  # noqa: E402
from tests.fakes.smtp import FakeSMTPServer  # noqa: E402
from tests.fakes.tencent import FakeTencentSms  # noqa: E402
from tests.fakes.twilio import FakeTwilio  # noqa: E402

# The mainland templates the CN-heavy mix sends (bench/scenario.py records the same in Breachline).
BASE_URL = "https://bench.test"
TENCENT_TEMPLATE = ("2105873", "您的个人信息可能受到安全事件{1}影响（{2}），详情请查看：" + BASE_URL + "/n/{3}/")
ALIYUN_TEMPLATE = ("SMS_480215001", "您的个人信息可能受到安全事件${ref}影响（${day}），详情请查看：" + BASE_URL + "/n/${key}/")

class _Fake(Protocol):
    received: Ledger[Any]


FAKES: dict[str, _Fake] = {}


def counts() -> dict[str, dict[str, int]]:
    """Per channel: messages accepted, and distinct addresses they went to."""
    return {
        channel: {"total": fake.received.total, "distinct": len(fake.received.counts())}
        for channel, fake in FAKES.items()
    }


class StatsHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        body = json.dumps(counts()).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:  # noqa: N802
        if self.path == "/fail":
            window = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            fake = FAKES[window["channel"]]
            # Every fake has fail_next, with its own options (SMTP takes a reply, the others an HTTP status).
            if window["channel"] == "email":
                fake.fail_next(window["count"])  # type: ignore[attr-defined]
            else:
                fake.fail_next(window["count"], status=window["status"])  # type: ignore[attr-defined]
        else:
            for fake in FAKES.values():
                fake.received.clear()
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return None


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="breachline-bench-fakes-"))
    with (
        FakeSMTPServer(keep_messages=False) as smtp,
        FakeTwilio(keep_messages=False) as twilio,
        FakeFCM(keep_messages=False) as fcm,
        FakeTencentSms(keep_messages=False) as tencent,
        FakeAliyunSms(keep_messages=False) as aliyun,
        FakeJPush(keep_messages=False) as jpush,
    ):
        FAKES.update(email=smtp, sms=twilio, push=fcm, sms_tencent=tencent, sms_aliyun=aliyun, push_jpush=jpush)
        tencent.register_template(*TENCENT_TEMPLATE)
        aliyun.register_template(*ALIYUN_TEMPLATE)
        stats = ThreadingHTTPServer(("127.0.0.1", 0), StatsHandler)
        threading.Thread(target=stats.serve_forever, daemon=True).start()
        config = {
            "EMAIL_HOST": smtp.host,
            "EMAIL_PORT": str(smtp.port),
            "TWILIO_ACCOUNT_SID": twilio.account_sid,
            "TWILIO_AUTH_TOKEN": twilio.auth_token,
            "TWILIO_API_BASE_URL": twilio.base_url,
            "FCM_PROJECT_ID": fcm.project_id,
            "FCM_CREDENTIALS_FILE": str(fcm.write_service_account(workdir / "fcm.json")),
            "FCM_API_BASE_URL": fcm.base_url,
            "TENCENT_SMS_SECRET_ID": tencent.secret_id,
            "TENCENT_SMS_SECRET_KEY": tencent.secret_key,
            "TENCENT_SMS_SDK_APP_ID": tencent.sdk_app_id,
            "TENCENT_SMS_SIGN_NAME": tencent.sign_name,
            "TENCENT_SMS_ENDPOINT": tencent.base_url,
            "ALIYUN_SMS_ACCESS_KEY_ID": aliyun.access_key_id,
            "ALIYUN_SMS_ACCESS_KEY_SECRET": aliyun.access_key_secret,
            "ALIYUN_SMS_SIGN_NAME": aliyun.sign_name,
            "ALIYUN_SMS_ENDPOINT": aliyun.base_url,
            "JPUSH_APP_KEY": jpush.app_key,
            "JPUSH_MASTER_SECRET": jpush.master_secret,
            "JPUSH_ENDPOINT": jpush.base_url,
            "BREACHLINE_BASE_URL": BASE_URL,
            "STATS_URL": f"http://127.0.0.1:{stats.server_address[1]}/stats",
        }
        print(json.dumps(config), flush=True)
        sys.stdin.read()
        stats.shutdown()


if __name__ == "__main__":
    main()
