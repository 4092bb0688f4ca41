"""Seed data for the dashboard tests: sources, personas, classified mentions with their
opportunities, and users of every role.

Posts are stored through the collection pipeline. Their classifications are set by hand here so
the tests know every score; ``seed_classified`` runs the real classifier instead.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from radar.auth import create_user, hash_password
from radar.models import Classification, Mention, Opportunity, Partner, Persona, Source, utcnow

PASSWORD = "correct-horse-1"
HOSTILE_TITLE = 'Wer kann helfen? <script>window.__pwned=1</script> $x^2$ :red[rot]'
# as a feed carries it: entity-encoded, which the clean pipeline decodes into the text above
HOSTILE_TITLE_WIRE = 'Wer kann helfen? &lt;script&gt;window.__pwned=1&lt;/script&gt; $x^2$ :red[rot]'
HOSTILE_BODY = (
    "Suche einen DATEV Berater für unsere Buchhaltung (30 Mitarbeiter).\n"
    '<img src=x onerror="window.__pwned=1;alert(1)"> <b>fett</b> **nicht fett** [link](javascript:alert(1))\n'
    "$$\\int x dx$$ und :smile: und # keine Überschrift"
)

PERSONA = {
    "name": "kmu-buchhaltung", "title": "KMU mit Buchhaltungsbedarf", "languages": ["de", "en"],
    "criteria": [
        {"name": "Thema", "type": "keywords", "values": [{"terms": ["buchhaltung", "datev"], "points": 100}]},
        {"name": "Firmengröße", "type": "range", "unit": "mitarbeiter",
         "ranges": [{"min": 25, "max": 49, "points": 50}, {"min": 50, "max": 70, "points": 100}]},
    ],
}


_PASSWORD_HASH: list[str] = []


def password_hash() -> str:
    """PASSWORD hashed by the product (``radar.auth.hash_password``, bcrypt at its real cost), once
    per test process: a hash costs ~0.5 s here, and seed_users made six of them per test."""
    if not _PASSWORD_HASH:
        _PASSWORD_HASH.append(hash_password(PASSWORD))
    return _PASSWORD_HASH[0]


def seed_users(s: Session) -> dict[str, int]:
    """One user per role (password PASSWORD) and two partners; returns username → id.

    Users are made by ``create_user`` (validation, partner lookup); their password hash is the
    product's bcrypt hash of PASSWORD, computed once (see ``password_hash``)."""
    acme = Partner(name="ACME IT", type="reseller", skills=["datev"], regions=["DE"])
    beta = Partner(name="Beta Systems", type="reseller", skills=["datev"], regions=["DE"])
    s.add_all([acme, beta])
    s.flush()
    ids = {}
    for name, role, partner in [("ada", "admin", None), ("mia", "marketing", None), ("carl", "consultant", None),
                                ("quinn", "qualifier", None), ("paul", "partner", "ACME IT"), ("bea", "partner", "Beta Systems")]:
        user = create_user(s, name, None, role, partner=partner, display_name=name.title())
        user.password_hash = password_hash()
        ids[name] = user.id
    s.flush()
    return ids


_VOCAB = ("Rechnung Angebot Lizenz Server Drucker Netzwerk Firewall Backup Cloud Router Kasse Lager Versand Mahnung Steuer "
          "Lohn Personal Urlaub Termin Kalender Telefon Mail Webseite Shop Zahlung Kredit Miete Büro Werkstatt Fahrzeug "
          "Wartung Schulung Vertrag Kunde Lieferant Export Import Scanner Archiv Datenschutz Anwalt Makler Versicherung").split()


def _body(i: int) -> str:
    """A distinct request per post (so SimHash does not group them as near-duplicates)."""
    import random

    rnd = random.Random(i)
    words = " ".join(a.lower() + b.lower() for a, b in zip(rnd.sample(_VOCAB, 15), rnd.sample(_VOCAB, 15)))
    return f"Kann jemand eine Buchhaltung empfehlen? Es geht um {words}. Wir sind {20 + i} Leute in Stuttgart."


def seed_inbox(db_url: str, n: int = 30, now: dt.datetime | None = None) -> list[int]:
    """``n`` posts stored through the collection pipeline (``prepare_item`` + ``MentionStore``),
    then classified and turned into opportunities, published over the last hours. The first is
    hostile (script, img onerror, Markdown and LaTeX tricks) and the best. Returns opportunity ids
    in that order (best first)."""
    from radar.db import get_engine, get_sessionmaker
    from radar.pipelines import MentionStore, prepare_item
    from radar.spiders.items import MentionItem

    now = now or utcnow()
    with get_sessionmaker(db_url).begin() as s:
        s.add(Persona(name=PERSONA["name"], title=PERSONA["title"], definition=PERSONA))
        src_de = Source(name="forum-de", kind="feed", settings={"url": "https://forum.example/feed"})
        src_en = Source(name="hn-ask", kind="hackernews", settings={})
        s.add_all([src_de, src_en])
        s.flush()
        sources = {"de": src_de.id, "en": src_en.id}
    stored: list[tuple[int, str]] = []
    stores = {lang: MentionStore(get_engine(db_url), sid).open() for lang, sid in sources.items()}
    try:
        for i in range(n):
            hostile = i == 0
            lang = "de" if i % 3 else "en"
            item = MentionItem(
                source="forum-de" if lang == "de" else "hn-ask", external_id=f"ext-{i}",
                url="javascript:alert(1)" if hostile else f"https://forum.example/t/{i}",
                title=HOSTILE_TITLE_WIRE if hostile else f"Post {i}: Empfehlung für Buchhaltung gesucht",
                body=HOSTILE_BODY if hostile else _body(i),
                body_format="text", author=f"user{i}", language=lang, published_at=now - dt.timedelta(minutes=5 + 10 * i),
            )
            result = stores[lang].store(prepare_item(item, lang))
            assert result.status == "new" and result.group_id is None, result  # distinct posts, no near-duplicates
            stored.append((result.mention_id, lang))
    finally:
        for st in stores.values():
            st.close()
    from radar.model_versions import ensure_bundled

    ids = []
    with get_sessionmaker(db_url).begin() as s:
        version = ensure_bundled(s).version  # scores below are set by hand, stored as the active model's
        for i, (mid, lang) in enumerate(stored):
            m = s.get(Mention, mid)
            m.language = lang  # short test posts: keep the language the test means
            score = 95.0 if i == 0 else max(1.0, 90.0 - 3 * i)
            temp = "hot" if score >= 70 else "warm" if score >= 45 else "cold"
            s.add(Classification(
                mention_id=mid, model_version=version, language=lang, is_request=True, request_probability=0.9, intent="recommendation",
                urgency=40, score=score, temperature=temp, best_persona=PERSONA["name"],
                persona_fit={PERSONA["name"]: {"fit": 0.75, "criteria": {"Thema": {"points": 100, "max": 100, "evidence": ["DATEV"]},
                                                                          "Firmengröße": {"points": 50, "max": 100, "evidence": ["30 Mitarbeiter"]}}}},
                explanation={"summary": "Asks for a recommendation: 'Suche einen DATEV Berater' (request phrase).",
                             "evidence": ["Suche einen", "DATEV", "<img src=x onerror"]},
            ))
            m.classified_at = now
            o = Opportunity(mention_id=mid, source_id=m.source_id, score=score, temperature=temp, intent="recommendation",
                            persona=PERSONA["name"], language=lang, published_at=m.published_at)
            s.add(o)
            s.flush()
            ids.append(o.id)
    return ids

APP = str(__import__("pathlib").Path(__file__).resolve().parents[1] / "dashboard" / "streamlit_app.py")


def login(username: str, password: str = PASSWORD, timeout: float = 60):
    """A fresh AppTest of the dashboard, logged in as ``username``."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    st.cache_data.clear()  # cached reads are keyed by URL; PostgreSQL tests reuse one URL
    at = AppTest.from_file(APP, default_timeout=timeout).run()
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    at = at.run()
    assert not at.exception, at.exception
    return at


def texts(at) -> str:
    """Everything the page shows as text (markdown, text, captions, alerts), joined."""
    parts = []
    for kind in ("markdown", "text", "caption", "error", "warning", "info", "success", "title", "subheader", "header"):
        parts.extend(str(getattr(e, "value", "")) for e in getattr(at, kind))
    return "\n".join(parts)


def seed_classified(db_url: str, posts: list[tuple[str, str, str]]) -> list[int]:
    """Store ``(title, body, language)`` posts through the pipeline and classify them with the
    real classifier (``radar.scoring.classify_pending``, the bundled model and config personas).
    Returns the mention ids."""
    from radar.config import load_config
    from radar.db import get_engine, get_sessionmaker
    from radar.pipelines import MentionStore, prepare_item
    from radar.scoring import classify_pending
    from radar.spiders.items import MentionItem

    with get_sessionmaker(db_url).begin() as s:
        src = Source(name="forum-real", kind="feed", settings={"url": "https://forum.example/feed"})
        s.add(src)
        s.flush()
        sid = src.id
    ids = []
    with MentionStore(get_engine(db_url), sid) as store:
        for i, (title, body, lang) in enumerate(posts):
            item = MentionItem(source="forum-real", external_id=f"real-{i}", url=f"https://forum.example/r/{i}", title=title,
                               body=body, body_format="text", author=f"author{i}", language=lang,
                               published_at=utcnow() - dt.timedelta(minutes=3 + i))
            ids.append(store.store(prepare_item(item, lang)).mention_id)
    with get_sessionmaker(db_url).begin() as s:
        assert classify_pending(s, load_config()) == len(posts)
    return ids
