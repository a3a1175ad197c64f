"""Push to the mobile app through FCM HTTP v1. The only module that imports google-auth.

The service account's ``token_uri`` decides where access tokens come from and
``FCM_API_BASE_URL`` where messages go, so tests and benchmarks point both at
a local fake while the real google-auth and requests code runs.
"""

from __future__ import annotations

import os
from functools import lru_cache

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from google.auth.exceptions import GoogleAuthError, RefreshError
from google.auth.transport.requests import AuthorizedSession
from google.oauth2 import service_account

from notifications.channels.base import (
    ClosingMixin,
    OutboundMessage,
    TransportError,
    http_error,
    parse_retry_after,
    provider_timeout,
)

SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
# FcmError codes that say this token will never work; anything else is judged by HTTP status.
PERMANENT_ERRORS = frozenset({"UNREGISTERED", "INVALID_ARGUMENT", "SENDER_ID_MISMATCH"})
RETRYABLE_ERRORS = frozenset({"QUOTA_EXCEEDED", "UNAVAILABLE", "INTERNAL", "THIRD_PARTY_AUTH_ERROR"})


class FcmTransport(ClosingMixin):
    channel = "fcm"

    def __init__(self, *, credentials_file: str, project_id: str = "", api_base_url: str, timeout: float):
        if not credentials_file:
            raise ImproperlyConfigured("FCM push needs FCM_CREDENTIALS_FILE (a service-account JSON).")
        credentials = service_account_credentials(credentials_file)
        project = project_id or credentials.project_id
        if not project:
            raise ImproperlyConfigured("FCM push needs FCM_PROJECT_ID or a project_id in the credentials.")
        self.timeout = timeout
        self.url = f"{api_base_url.rstrip('/')}/v1/projects/{project}/messages:send"
        self._session = AuthorizedSession(credentials)

    @classmethod
    def from_settings(cls) -> FcmTransport:
        return cls(
            credentials_file=settings.FCM_CREDENTIALS_FILE,
            project_id=settings.FCM_PROJECT_ID,
            api_base_url=settings.FCM_API_BASE_URL,
            timeout=provider_timeout(),
        )

    def send(self, message: OutboundMessage) -> str:
        """Send a notification to the registration token; return FCM's message name."""
        try:
            response = self._session.post(self.url, json=fcm_body(message), timeout=self.timeout)
        except requests.Timeout as exc:
            raise TransportError(f"FCM timed out: {exc}", permanent=False, code="timeout") from exc
        except RefreshError as exc:
            # Refused credentials are ours to fix, not the person's token: retryable.
            raise TransportError(f"FCM credentials refused: {exc}", permanent=False, code="auth") from exc
        except (requests.RequestException, GoogleAuthError) as exc:
            raise TransportError(f"FCM unreachable: {exc}", permanent=False, code="connection") from exc
        if response.status_code != 200:
            raise _classify(response)
        try:
            return response.json()["name"]
        except (ValueError, KeyError, TypeError) as exc:
            raise TransportError(
                f"FCM reply without a message name: {response.text[:200]}", permanent=False, code="bad_reply"
            ) from exc

    def close(self) -> None:
        self._session.close()


def service_account_credentials(path: str) -> service_account.Credentials:
    """The credentials of the service-account file at ``path``, loaded once per process and file version.

    Parsing the file's RSA key costs tens of milliseconds and every new credentials object
    fetches its own access token, so a transport built per batch shares these instead; a
    replaced or rewritten file (another inode, mtime or size) is loaded afresh. Raises OSError
    when it is unreadable.
    """
    stat = os.stat(path)
    return _credentials(path, (stat.st_ino, stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=8)
def _credentials(path: str, version: tuple[int, int, int]) -> service_account.Credentials:
    return service_account.Credentials.from_service_account_file(path, scopes=[SCOPE])


def fcm_body(message: OutboundMessage) -> dict:
    """The FCM v1 request body: a visible notification plus the link as data for the app."""
    data = {**message.metadata}
    if message.link:
        data["link"] = message.link
    body: dict = {
        "token": message.to_address,
        "notification": {"title": message.subject, "body": message.text},
    }
    if data:
        body["data"] = data
    return {"message": body}


def _classify(response: requests.Response) -> TransportError:
    status, fcm_code, detail = _error_details(response)
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    text = f"{detail} (HTTP {status})"
    if fcm_code in PERMANENT_ERRORS:
        return TransportError(text, permanent=True, code=fcm_code)
    if fcm_code in RETRYABLE_ERRORS or status in (401, 403):
        return TransportError(text, permanent=False, code=fcm_code or str(status), retry_after=retry_after)
    return http_error(status, text, code=fcm_code, retry_after=retry_after)


def _error_details(response: requests.Response) -> tuple[int, str, str]:
    """Return (HTTP status, FcmError errorCode or google.rpc status, message) from an error reply."""
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        return response.status_code, "", response.text[:200] or response.reason
    for detail in error.get("details") or []:
        if detail.get("@type", "").endswith("FcmError") and detail.get("errorCode"):
            return response.status_code, detail["errorCode"], error.get("message", "")
    return response.status_code, error.get("status", ""), error.get("message", "")
