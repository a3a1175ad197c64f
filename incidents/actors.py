"""Who acts in a service: what a service needs of a person, the one permission check, and the user a
management command acts as.

A service never asks "is this the operator?": the web user, an API token's user and a command run
``--as USERNAME`` are all users with their own permissions, and the audit trail names them.
"""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django_fsm import has_transition_perm

if TYPE_CHECKING:
    from django.contrib.auth.models import PermissionsMixin


class Actor(Protocol):
    """What services need of whoever acts: their key, their permissions and their name for the audit trail."""

    pk: Any

    def has_perm(self, perm: str, obj: Any = None) -> bool: ...

    def get_username(self) -> str: ...


def require_permission(actor: Actor, permission: str, message: str = "") -> None:
    """Raise PermissionDenied unless ``actor`` holds ``permission``; ``message`` says why in the reader's
    terms (default: it names the permission)."""
    if not actor.has_perm(permission):
        raise PermissionDenied(message or _("You need the permission %(permission)r to do this.") % {"permission": permission})


def may_transition(transition: Callable[..., Any], actor: Actor) -> bool:
    """Return whether ``actor`` may take the bound FSM ``transition`` now: the state allows it, its conditions
    hold and the actor has its permission."""
    # django-fsm names Django's user classes as the user's type; it only calls ``has_perm`` and the
    # transitions' own permission checks, which is all an Actor offers.
    return has_transition_perm(transition, cast("PermissionsMixin", actor))


def add_actor_argument(parser: ArgumentParser) -> None:
    """The ``--as USERNAME`` option of a command that acts: required, since shell access grants no permission
    (``--user`` is the same option under the name the commands had before)."""
    parser.add_argument(
        "--as", "--user", dest="as_user", required=True, metavar="USERNAME",
        help="The user to act as: their permissions apply and the audit trail names them.",
    )


def command_actor(username: str) -> Actor:
    """Return the active user named ``username`` (a command's ``--as``); raise CommandError when there is none."""
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user {username!r} to act as.")
    return user
