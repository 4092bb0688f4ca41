"""Database glue around the pure classifier: classify pending mentions, store classifications,
keep each mention group's opportunity up to date, and pick mentions for labelling."""

from __future__ import annotations

import json
import threading
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from radar.config import Config
from radar.models import Classification, Label, Mention, Opportunity, utcnow

_cache_lock = threading.Lock()
_cache: dict[tuple, Any] = {}


def classifier_for(session: Session, cfg: Config):
    """The active model with the config's personas and settings, loaded once per process."""
    from radar.classify import Classifier
    from radar.model_versions import active_version, artifact

    mv = active_version(session)
    path = artifact(mv)
    key = (mv.version, path, json.dumps([p.model_dump() for p in cfg.personas], sort_keys=True),
           cfg.settings.classifier.model_dump_json())
    with _cache_lock:
        clf = _cache.get(key)
        if clf is None:
            clf = Classifier.load(path, personas=cfg.personas, settings=cfg.settings.classifier)
            clf.model.version = mv.version
            _cache.clear()
            _cache[key] = clf
    return clf


def classify_pending(session: Session, cfg: Config, limit: int | None = None, batch_size: int = 256) -> int:
    """Classify mentions whose ``classified_at`` is NULL with the active model: write a
    :class:`Classification` per mention, set ``classified_at``, and create or update the
    :class:`Opportunity` of every mention that leads its group (``group_id`` NULL or its own id).
    Returns how many mentions were classified. Flushes, does not commit.

    Example: ``with session_scope() as s: classify_pending(s, load_config())``
    """
    clf = classifier_for(session, cfg)
    version = clf.model.version
    done = 0
    while limit is None or done < limit:
        n = batch_size if limit is None else min(batch_size, limit - done)
        mentions = list(session.scalars(select(Mention).where(Mention.classified_at.is_(None)).order_by(Mention.id).limit(n)))
        if not mentions:
            break
        results = clf.classify_many([(m.title, m.body, m.language if m.language in ("de", "en") else None) for m in mentions])
        ids = [m.id for m in mentions]
        existing = {c.mention_id: c for c in session.scalars(
            select(Classification).where(Classification.mention_id.in_(ids), Classification.model_version == version))}
        opps = {o.mention_id: o for o in session.scalars(select(Opportunity).where(Opportunity.mention_id.in_(ids)))}
        now = utcnow()
        for m, r in zip(mentions, results):
            values = dict(language=r.lang, is_request=r.is_request, request_probability=min(max(r.request_probability, 0.0), 1.0),
                          intent=r.intent, urgency=r.urgency, score=r.score, temperature=r.temperature,
                          best_persona=r.best_persona, persona_fit=r.personas,
                          explanation={"text": r.explanation, **r.evidence, "intent_probabilities": r.intent_probabilities})
            c = existing.get(m.id)
            if c is None:
                session.add(Classification(mention_id=m.id, model_version=version, **values))
            else:
                for k, v in values.items():
                    setattr(c, k, v)
            m.classified_at = now
            if not m.language:
                m.language = r.lang
            if m.group_id is None or m.group_id == m.id:
                o = opps.get(m.id)
                published = m.published_at or m.fetched_at or now
                if o is None:
                    session.add(Opportunity(mention_id=m.id, source_id=m.source_id, score=r.score, temperature=r.temperature,
                                            intent=r.intent, persona=r.best_persona, language=r.lang, published_at=published))
                else:
                    o.score, o.temperature, o.intent = r.score, r.temperature, r.intent
                    o.persona, o.language, o.published_at = r.best_persona, r.lang, published
        session.flush()
        done += len(mentions)
    return done


def label_queue(session: Session, cfg: Config, limit: int = 20) -> list[dict[str, Any]]:
    """Unlabelled, classified mentions whose request probability is closest to the threshold
    (uncertainty sampling): their labels teach the model most."""
    from radar.model_versions import active_version

    version = active_version(session).version
    settings = cfg.settings.classifier
    thr = case({lang: t for lang, t in settings.request_threshold_by_language.items()},
               value=Classification.language, else_=settings.request_threshold) \
        if settings.request_threshold_by_language else settings.request_threshold  # each post's language's threshold
    labelled = select(Label.mention_id)
    dist = func.abs(Classification.request_probability - thr)
    rows = session.execute(
        select(Mention, Classification)
        .join(Classification, Classification.mention_id == Mention.id)
        .where(Classification.model_version == version, Mention.id.not_in(labelled))
        .order_by(dist, Mention.id)
        .limit(limit)
    ).all()
    return [{"mention_id": m.id, "title": m.title or (m.body or "")[:80], "url": m.url, "language": c.language,
             "request_probability": c.request_probability, "intent": c.intent, "score": c.score} for m, c in rows]


def classify_backlog(session_factory, cfg: Config, chunk: int = 500) -> int:
    """The service's periodic job: classify every pending mention, committing per ``chunk`` so a
    large backlog never holds the database's write lock for long. Returns how many were classified.

    Example: ``classify_backlog(get_sessionmaker(cfg.database_url), cfg)``
    """
    total = 0
    while True:
        with session_factory.begin() as session:
            n = classify_pending(session, cfg, limit=chunk)
        total += n
        if n < chunk:
            return total
