"""The API's pages (``DEFAULT_PAGINATION_CLASS``): in the base layer, so that each app's API can refine it."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """``limit`` at most 1,000 and ``offset`` at most 10**12: any larger number is a bad page request."""

    max_limit = 1000
    max_offset = 10**12

    def get_offset(self, request) -> int:
        return min(super().get_offset(request), self.max_offset)
