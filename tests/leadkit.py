"""Builders for the lead tests: sources, mentions, opportunities and a partner hierarchy."""

from __future__ import annotations

import datetime as dt
import itertools

from radar.config import LeadSettings
from radar.leads import add_partner
from radar.models import Classification, Mention, Opportunity, Source, User

_seq = itertools.count(1)
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)  # a Monday


def settings(**kw) -> LeadSettings:
    base = dict(offer_min_score=40, required_fields=["summary"], offer_group_size=2, offer_window="24h", max_rounds=2,
                feedback_due="7d", revoke_after="3d")
    base.update(kw)
    return LeadSettings(**base)


def source(s, name="forum-de", kind="feed") -> Source:
    src = s.query(Source).filter_by(name=name).one_or_none()
    if src is None:
        src = Source(name=name, kind=kind, settings={"url": "http://127.0.0.1/feed"})
        s.add(src)
        s.flush()
    return src


def opportunity(s, title="Suche DATEV Berater", body="Wir brauchen Hilfe mit DATEV und Buchhaltung.", score=80.0,
                temperature="hot", intent="recommendation", persona="kmu-dach", language="de", region=None,
                published_at=None, author="max_mustermann", classified=True) -> Opportunity:
    n = next(_seq)
    src = source(s)
    published_at = published_at or T0
    m = Mention(source_id=src.id, external_id=f"m{n}", url=f"https://forum.example.de/t/{n}",
                canonical_url=f"https://forum.example.de/t/{n}", title=title, body=body, author=author, language=language,
                published_at=published_at, fetched_at=published_at, content_hash=f"{n:064d}",
                extra={"region": region} if region else {})
    s.add(m)
    s.flush()
    if classified:
        s.add(Classification(mention_id=m.id, model_version="test-1", language=language, is_request=True,
                             request_probability=0.9, intent=intent, urgency=50, score=score, temperature=temperature,
                             best_persona=persona, persona_fit={persona: 0.8} if persona else {},
                             explanation={"request": "asks for a recommendation", "terms": ["suche", "datev"]},
                             created_at=published_at))
    o = Opportunity(mention_id=m.id, source_id=src.id, score=score, temperature=temperature, intent=intent, persona=persona,
                    language=language, published_at=published_at, created_at=published_at)
    s.add(o)
    s.flush()
    return o


def user(s, username, role, partner=None) -> User:
    u = User(username=username, role=role, partner_id=partner.id if partner else None, email=f"{username}@example.com")
    s.add(u)
    s.flush()
    return u


def hierarchy(s) -> dict:
    """manufacturer ACME → distributor Distri (→ resellers Nord, Sued) and Distri-AT (→ reseller Wien);
    reseller Direkt directly below ACME; agency Callcenter. One user each, plus staff."""
    p = {}
    p["acme"] = add_partner(s, "ACME", "manufacturer")
    p["distri"] = add_partner(s, "Distri", "distributor", "ACME", regions=["DE"])
    p["distri_at"] = add_partner(s, "Distri-AT", "distributor", "ACME", regions=["AT"])
    p["nord"] = add_partner(s, "Nord", "reseller", "Distri", skills=["datev", "netzwerk"], regions=["DE-2"], level="gold", level_weight=2.0)
    p["sued"] = add_partner(s, "Sued", "reseller", "Distri", skills=["datev"], regions=["DE-7", "DE-8"])
    p["wien"] = add_partner(s, "Wien", "reseller", "Distri-AT", skills=["datev"], regions=["AT"])
    p["direkt"] = add_partner(s, "Direkt", "reseller", "ACME", skills=["microsoft-365"], regions=["DE"])
    p["agency"] = add_partner(s, "Callcenter", "agency", "ACME")
    u = {name: user(s, f"u_{name}", "partner", partner) for name, partner in p.items() if name != "agency"}
    u["qualifier"] = user(s, "u_qualifier", "qualifier", p["agency"])
    u["admin"] = user(s, "u_admin", "admin")
    u["consultant"] = user(s, "u_consultant", "consultant")
    u["marketing"] = user(s, "u_marketing", "marketing")
    return {"p": p, "u": u}


def offered_lead(s, partners, cfg=None, now=T0, region=None, **kw):
    """A lead offered (round 1) to exactly ``partners``, bypassing matching."""
    from radar.leads import create_lead, record_event
    from radar.models import Offer

    cfg = cfg or settings()
    lead = create_lead(s, opportunity(s, **kw).id, "user:anna", cfg, now=now, region=region)
    for p in partners:
        s.add(Offer(lead_id=lead.id, partner_id=p.id, round=1, offered_at=now, expires_at=now + dt.timedelta(days=1)))
    lead.status = "offered"
    s.flush()
    record_event(s, lead, "offered", "test", data={"round": 1, "partners": [p.id for p in partners]}, at=now)
    return lead
