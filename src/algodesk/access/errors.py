"""Errors of the access layer that callers show to the trader as they are."""


class AccountError(Exception):
    """A request about the account that cannot be done; the message is for the trader."""


__all__ = ["AccountError"]
