"""Errors a user of the lead functions can meet. Each message says what is wrong and what to do."""

from __future__ import annotations


class LeadError(Exception):
    """Base class of every refusal by the lead functions."""


class NotFound(LeadError):
    """A lead, partner, user or offer does not exist."""


class AlreadyReserved(LeadError):
    """Another partner reserved the lead first. ``by_database`` is true when the atomic insert
    itself refused (the two reservations met in the database), false when the winner had
    committed before this attempt started."""

    def __init__(self, message: str = "already reserved by another partner", *, by_database: bool = False):
        self.by_database = by_database
        super().__init__(message)


class FeedbackOverdue(LeadError):
    """The partner owes feedback on an earlier reservation; it may look, not reserve."""


class NotOffered(LeadError):
    """The lead is not (or no longer) on this partner's pick list."""


class NotVisible(LeadError):
    """The user may not see this lead (or not its details before reserving it)."""


class StageError(LeadError):
    """A stage change that the forward-only stage machine does not allow."""


class QualificationError(LeadError):
    """The lead does not pass the qualification gate; ``problems`` lists every missing piece."""

    def __init__(self, lead_id: int, problems: list[str]):
        self.lead_id, self.problems = lead_id, problems
        super().__init__(f"lead {lead_id} is not qualified to be offered: " + "; ".join(problems))


class LeadClosed(LeadError):
    """The lead is won or lost; nothing more can happen to it."""
