"""Leads and partner routing: radars (keyword subscriptions), leads from opportunities,
qualification, matching, offers, first-come reservation, feedback gate, escalation, visibility
and KPIs. Every operation is a function taking a ``session``; the caller owns the transaction.

The functions other parts call (the dashboard, notifications, the webhook export)::

    reserve_lead(session, lead_id, partner_id, user_id=None, cfg=None, now=None) -> Reservation
    decline_offer(session, lead_id, partner_id, reason, user_id=None, now=None) -> Offer
    give_feedback(session, lead_id, partner_id, outcome, deal_size=None, reason=None, user_id=None, now=None) -> Feedback
    pick_list(session, user, now=None) -> list[teaser dict]
    kpis(session, partner_id=None, since=None, now=None) -> list[row dict]
"""

from radar.leads.core import (
    anonymise,
    auto_create_leads,
    change_stage,
    check_gate,
    create_lead,
    gate_problems,
    lead_settings,
    qualify_lead,
    update_lead,
)
from radar.leads.errors import (
    AlreadyReserved,
    FeedbackOverdue,
    LeadClosed,
    LeadError,
    NotFound,
    NotOffered,
    NotVisible,
    QualificationError,
    StageError,
)
from radar.leads.escalation import EscalationReport, escalate
from radar.leads.events import EVENT_KINDS, lead_record, record_event
from radar.leads.kpis import kpi_for, kpis
from radar.leads.matching import Match, MatchResult, match_partners, offer_lead
from radar.leads.partners import (
    add_partner,
    add_radar,
    ancestors,
    channel_manager,
    get_partner,
    get_user,
    list_partners,
    list_radars,
    partner_summary,
    partner_tree,
    subtree_ids,
)
from radar.leads.query import QuerySyntaxError, matches, parse, preview_radar
from radar.leads.reservation import decline_offer, give_feedback, release_reservation, reserve_lead
from radar.leads.visibility import can_see, get_lead, get_teaser, my_leads, pick_list, teaser, visible_leads, visible_partner_ids

__all__ = [
    "AlreadyReserved", "EVENT_KINDS", "EscalationReport", "FeedbackOverdue", "LeadClosed", "LeadError", "Match", "MatchResult",
    "NotFound", "NotOffered", "NotVisible", "QualificationError", "QuerySyntaxError", "StageError", "add_partner", "add_radar",
    "ancestors", "anonymise", "auto_create_leads", "can_see", "change_stage", "channel_manager", "check_gate", "create_lead",
    "decline_offer", "escalate", "gate_problems", "get_lead", "get_partner", "get_teaser", "get_user", "give_feedback", "kpi_for",
    "kpis", "lead_record", "lead_settings", "list_partners", "list_radars", "match_partners", "matches", "my_leads", "offer_lead",
    "parse", "partner_summary", "partner_tree", "pick_list", "preview_radar", "qualify_lead", "record_event",
    "release_reservation", "reserve_lead", "subtree_ids", "teaser", "update_lead", "visible_leads", "visible_partner_ids",
]
