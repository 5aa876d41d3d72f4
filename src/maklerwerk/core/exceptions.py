"""Expected failures of services. Views and the API map them to HTTP in one place each."""

from __future__ import annotations


class ApplicationError(Exception):
    """A business rule refused the request. `message` is shown to the user as it is."""

    status_code = 400

    def __init__(self, message: str, *, extra: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class ConflictError(ApplicationError):
    status_code = 409


class NotFoundError(ApplicationError):
    status_code = 404
