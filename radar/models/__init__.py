"""The domain model (SQLAlchemy 2.0). Only this package and the query/store modules beside the
features write SQL; Alembic (radar/migrations) owns the schema."""

from radar.models.base import Base, UTCDateTime, utcnow
from radar.models.leads import (
    FEEDBACK_OUTCOMES,
    LEAD_STATUSES,
    STAGE_ORDER,
    STAGES,
    Feedback,
    Lead,
    LeadEvent,
    Offer,
    Reservation,
)
from radar.models.mentions import INTENTS, TEMPERATURES, Classification, Label, Mention, ModelVersion, Opportunity, Persona
from radar.models.outbox import ActionToken, APSchedulerJob, EmailMessage, JobState, OutboxEvent, ServiceLock, WebhookDelivery, WebhookEndpoint
from radar.models.partners import PARTNER_TYPES, ROLES, Partner, Radar, User
from radar.models.sources import CrawlRun, Source

__all__ = [
    "APSchedulerJob", "ActionToken", "Base", "Classification", "CrawlRun", "EmailMessage", "FEEDBACK_OUTCOMES",
    "Feedback", "INTENTS", "JobState", "LEAD_STATUSES", "Label", "Lead", "LeadEvent", "Mention", "ModelVersion",
    "Offer", "Opportunity", "OutboxEvent", "PARTNER_TYPES", "Partner", "Persona", "ROLES", "Radar", "Reservation",
    "STAGES", "STAGE_ORDER", "ServiceLock", "Source", "TEMPERATURES", "User", "UTCDateTime", "WebhookDelivery", "WebhookEndpoint", "utcnow",
]
