"""Lead exports as files: CSV with CRM-friendly columns, or JSON Lines with the full record.

CSV columns follow the lead import templates of the common CRMs (Salesforce's Lead object names:
FirstName, LastName, Company, ..., Rating Hot/Warm/Cold, Status), plus the radar's own fields.
Cells are safe against formula injection: text starting with ``= + - @`` (or a tab/CR) gets a
leading apostrophe, as OWASP recommends, because posts from the web are hostile.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from radar.models import Lead, Mention, Partner, Source

CSV_COLUMNS = [
    "FirstName", "LastName", "Company", "Email", "Phone", "City", "PostalCode", "Country", "LeadSource", "Rating",
    "Status", "Description", "Score", "Temperature", "Stage", "Persona", "Intent", "SourceURL",
    "RadarLeadId", "CreatedAt", "Partner", "DealSize",
]
CRM_STATUS = {  # stage -> the standard Salesforce lead status picklist
    "MQL": "Open - Not Contacted",
    "SAL": "Working - Contacted",
    "SQL": "Working - Contacted",
    "won": "Closed - Converted",
    "lost": "Closed - Not Converted",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
UNKNOWN = "[not provided]"  # CRMs require LastName and Company; say honestly that we do not know


def safe_cell(value: Any) -> str:
    """A CSV cell that a spreadsheet will not run as a formula.

    Example: ``safe_cell("=HYPERLINK(...)") == "'=HYPERLINK(...)"``
    """
    if value is None:
        return ""
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_START):
        return "'" + text
    return text


def _first(d: dict[str, Any], *keys: str) -> str:
    for k in keys:
        v = d.get(k)
        if v not in (None, ""):
            return str(v)
    return ""


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z") if value else None


def lead_record(lead: Lead, mention: Mention | None = None, source: Source | None = None,
                partner: Partner | None = None) -> dict[str, Any]:
    """The full record of a lead (JSON Lines and the CSV are made from it)."""
    origin = dict(lead.origin or {})
    return {
        "id": lead.id,
        "title": lead.title,
        "summary": lead.summary,
        "stage": lead.stage,
        "status": lead.status,
        "score": lead.score,
        "temperature": lead.temperature,
        "intent": lead.intent,
        "persona": lead.persona,
        "language": lead.language,
        "region": lead.region,
        "skills": list(lead.skills or []),
        "contact": dict(lead.contact or {}),
        "qualification": dict(lead.qualification or {}),
        "origin": origin,
        "source_url": (mention.url if mention else None) or origin.get("url") or origin.get("source_url"),
        "source": source.name if source else origin.get("source"),
        "mention": None if mention is None else {
            "id": mention.id, "url": mention.url, "title": mention.title, "author": mention.author,
            "language": mention.language, "published_at": _iso(mention.published_at),
        },
        "partner": partner.name if partner else None,
        "partner_id": lead.partner_id,
        "deal_size": float(lead.deal_size) if isinstance(lead.deal_size, Decimal) else lead.deal_size,
        "lost_reason": lead.lost_reason,
        "created_at": _iso(lead.created_at),
        "updated_at": _iso(lead.updated_at),
        "closed_at": _iso(lead.closed_at),
    }


def crm_row(record: dict[str, Any]) -> dict[str, str]:
    """One CSV row (CRM columns) from :func:`lead_record`; every cell made safe."""
    contact = record["contact"]
    first, last = _first(contact, "first_name", "firstname", "FirstName"), _first(contact, "last_name", "lastname", "LastName")
    if not (first or last):
        name = _first(contact, "name", "full_name")
        first, _, last = name.rpartition(" ") if " " in name else ("", "", name)
    author = (record.get("mention") or {}).get("author") or ""
    row = {
        "FirstName": first,
        "LastName": last or author or UNKNOWN,
        "Company": _first(contact, "company", "organisation", "organization") or UNKNOWN,
        "Email": _first(contact, "email"),
        "Phone": _first(contact, "phone", "telephone"),
        "City": _first(contact, "city"),
        "PostalCode": _first(contact, "postal_code", "postcode", "zip"),
        "Country": _first(contact, "country") or (record["region"] or "").split("-")[0],
        "LeadSource": f"Business Radar ({record['source']})" if record.get("source") else "Business Radar",
        "Rating": (record["temperature"] or "").capitalize(),
        "Status": CRM_STATUS.get(record["stage"], record["stage"]),
        "Description": "\n\n".join(x for x in (record["title"], record["summary"]) if x),
        "Score": f"{record['score']:.0f}" if record["score"] is not None else "",
        "Temperature": record["temperature"],
        "Stage": record["stage"],
        "Persona": record["persona"],
        "Intent": record["intent"],
        "SourceURL": record["source_url"],
        "RadarLeadId": record["id"],
        "CreatedAt": record["created_at"],
        "Partner": record["partner"],
        "DealSize": "" if record["deal_size"] is None else f"{record['deal_size']:.2f}",
    }
    return {k: safe_cell(v) for k, v in row.items()}


def iter_lead_records(session: Session, since: dt.datetime | None = None) -> Iterator[dict[str, Any]]:
    """Records of leads created or changed since ``since`` (all when None), oldest first."""
    q = (select(Lead, Mention, Source, Partner)
         .outerjoin(Mention, Mention.id == Lead.mention_id)
         .outerjoin(Source, Source.id == Mention.source_id)
         .outerjoin(Partner, Partner.id == Lead.partner_id)
         .order_by(Lead.id))
    if since is not None:
        q = q.where(or_(Lead.created_at >= since, Lead.updated_at >= since))
    for lead, mention, source, partner in session.execute(q.execution_options(yield_per=500)):
        yield lead_record(lead, mention, source, partner)


def export_leads(session: Session, out: IO[str], fmt: str = "csv", since: dt.datetime | None = None) -> int:
    """Write leads to the text stream ``out`` as ``csv`` or ``jsonl``; returns the number written.

    Open ``out`` with ``newline=""`` and UTF-8 for CSV.

    Example: ``with open("leads.csv", "w", newline="", encoding="utf-8") as f: export_leads(s, f, "csv")``
    """
    if fmt not in ("csv", "jsonl"):
        raise ValueError(f"unknown export format {fmt!r}; use csv or jsonl")
    n = 0
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        for record in iter_lead_records(session, since):
            writer.writerow(crm_row(record))
            n += 1
    else:
        for record in iter_lead_records(session, since):
            out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            n += 1
    return n
