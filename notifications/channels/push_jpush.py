"""Push to Android phones through JPush (极光推送), Push API v3. The only module that imports jpush.

FCM does not reach most Android phones sold in mainland China; an app with the
JPush SDK registers a JPush registration id instead, and this transport sends
to that id. Authentication is HTTP Basic with the app key and master secret.

The jpush package picks its URLs from its ``ZONES`` table by zone name;
``JPUSH_ENDPOINT`` adds a zone whose push and report URLs start with it, so the
real package code reaches a local fake (tests) or another data centre.
"""

from __future__ import annotations

import jpush
import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from jpush import common

from notifications.channels.base import (
    ClosingMixin,
    OutboundMessage,
    Receipt,
    TransportError,
    http_error,
    network_error,
    provider_timeout,
)

# JPush keeps a notice for an offline phone this long; ten days is the most it allows.
TIME_TO_LIVE_SECONDS = 10 * 24 * 3600
# Error codes that say this push to this registration id will never work: no such target
# (unknown id, or a phone inactive for months), an invalid or oversized request.
PERMANENT_CODES = frozenset({1002, 1003, 1005, 1009, 1011})
# Codes that a later attempt may pass: JPush's own failures and time-outs, the call rate
# limit, and refusals of our app key or IP address, which an operator can fix.
RETRYABLE_CODES = frozenset({1000, 1004, 1008, 1030, 2002, 2003, 2004})
# /v3/report/status/message: 0 delivered, 2 the id does not belong to this app.
# Other values (1 not delivered yet, 3 not a target of this message, 4 JPush error) say nothing final.
# JPush's status codes, as its JSON gives them: anything else is not final yet.
_REPORT_STATUS: dict[object, str] = {0: "delivered", 2: "failed"}


class JPushTransport(ClosingMixin):
    channel = "push_jpush"

    def __init__(self, *, app_key: str, master_secret: str, endpoint: str = "", timeout: float = 10.0):
        if not (app_key and master_secret):
            raise ImproperlyConfigured("JPush needs JPUSH_APP_KEY and JPUSH_MASTER_SECRET.")
        self._jpush = jpush.JPush(app_key, master_secret, timeout=timeout)
        if endpoint:
            self._jpush.zone = zone_for(endpoint)

    @classmethod
    def from_settings(cls) -> JPushTransport:
        return cls(
            app_key=settings.JPUSH_APP_KEY,
            master_secret=settings.JPUSH_MASTER_SECRET,
            endpoint=settings.JPUSH_ENDPOINT,
            timeout=provider_timeout(),
        )

    def send(self, message: OutboundMessage) -> str:
        """Push a notification to the registration id in ``to_address``; return JPush's msg_id."""
        push = self._jpush.create_push()
        push.audience = jpush.audience(jpush.registration_id(message.to_address))
        push.platform = jpush.platform("android")
        extras = {**message.metadata, **({"link": message.link} if message.link else {})}
        push.notification = jpush.notification(
            alert=message.text,
            android=jpush.android(alert=message.text, title=message.subject or None, extras=extras or None),
        )
        push.options = {"time_to_live": TIME_TO_LIVE_SECONDS}
        response = self._request(push.send)
        try:
            return str(response.payload["msg_id"])
        except (KeyError, TypeError) as exc:
            raise TransportError(
                f"JPush reply without a msg_id: {response.payload!r:.200}", permanent=False, code="bad_reply"
            ) from exc

    def receipts(self, *, msg_id: str, registration_ids: list[str]) -> list[Receipt]:
        """What JPush knows of one push to these ids (report/status/message); ids still pending are left out."""
        report = self._jpush.create_report()
        response = self._request(lambda: report.get_status_message(int(msg_id), registration_ids))
        receipts = []
        for registration_id, state in (response.payload or {}).items():
            status = _REPORT_STATUS.get((state or {}).get("status"))
            if status is not None:
                receipts.append(
                    Receipt(
                        provider_id=msg_id,
                        to_address=registration_id,
                        status=status,
                        code="" if status == "delivered" else "not_this_app",
                        detail=""
                        if status == "delivered"
                        else "the registration id is not one of this app's",
                    )
                )
        return receipts

    def close(self) -> None:
        self._jpush.session.close()

    def _request(self, call):
        try:
            return call()
        except common.Unauthorized as exc:
            raise TransportError(
                "JPush refused the app key or master secret", permanent=False, code="1004"
            ) from exc
        except common.JPushFailure as exc:
            raise _classify(exc) from exc
        except common.APIConnectionException as exc:
            raise network_error("JPush", exc, timed_out=True) from exc
        except common.APIRequestException as exc:
            # The package hides the cause behind one message; the exception it was handling tells.
            cause = exc.__context__ or exc
            raise network_error("JPush", cause, timed_out=isinstance(cause, requests.Timeout)) from exc


def zone_for(endpoint: str) -> str:
    """The name of a jpush zone whose URLs start with ``endpoint``, added to the package's table once."""
    base = endpoint.rstrip("/")
    name = f"BREACHLINE {base}".upper()
    common.ZONES.setdefault(name, {"PUSH": f"{base}/v3/", "REPORT": f"{base}/v3/report/"})
    return name


def _classify(exc: common.JPushFailure) -> TransportError:
    status = exc.response.status_code if exc.response is not None else 0
    code = exc.error_code
    text = f"{exc.details or exc.error} (JPush {code}, HTTP {status})"
    if code in PERMANENT_CODES:
        return TransportError(text, permanent=True, code=str(code))
    if code in RETRYABLE_CODES or status in (401, 403):
        return TransportError(text, permanent=False, code=str(code or status))
    return http_error(status, text, code=str(code or ""))
