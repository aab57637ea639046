"""Refusing a request body larger than the app ever reads, before anything reads it."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat


class RequestSizeLimitMiddleware:
    """A body over settings.REQUEST_MAX_BYTES answers 413 with a page saying the limit.

    Django bounds a request's form fields and JSON but not the files of a multipart upload.
    The size comes from Content-Length, past which the server never reads a body, so an
    oversized upload is refused without being read or stored. The API answers in JSON.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads no body then
        limit: int = settings.REQUEST_MAX_BYTES
        if length <= limit:
            return self.get_response(request)
        message = (
            f"The request is {filesizeformat(length)}; "
            f"the largest accepted is {filesizeformat(limit)}."
        )
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        return render(request, "413.html", {"message": message}, status=413)
