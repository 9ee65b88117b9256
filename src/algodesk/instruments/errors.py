"""Why a master-contract refresh failed, by stage, in words a trader can act on."""

from __future__ import annotations

STAGES = ("download", "archive", "member", "rows", "store")


class MasterError(Exception):
    """A refresh failed at `stage`; the previous master stays in service.

    Stages: download (HTTP, timeout), archive (not a zip, corrupt member), member (a
    required file missing, empty or without a needed column), rows (zero usable rows, or
    more malformed rows than tolerated), store (the database refused the new master).
    """

    def __init__(self, stage: str, message: str) -> None:
        super().__init__(message)
        self.stage = stage
        self.message = message

    def __str__(self) -> str:
        return f"{self.stage}: {self.message}"


class MasterContractUnavailable(Exception):
    """A symbol was asked for while no master contract is loaded (first start, or every
    download so far failed). `message` says whether it is loading or why it failed and
    when the next try is; `retry_after` is in seconds. The API answers 503."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
