"""Storage: the schema protects the data on every engine."""

import datetime as dt

import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import IntegrityError

from radar import migrate
from radar.db import get_engine, get_sessionmaker
from radar.models import Lead, Mention, ModelVersion, Partner, Reservation, Source, User, utcnow


def _source(s, name="src"):
    src = Source(name=name, kind="feed", settings={"url": "http://x"})
    s.add(src)
    s.flush()
    return src


def _mention(s, src, ext="1", **kw):
    m = Mention(source_id=src.id, external_id=ext, url=f"http://x/{ext}", canonical_url=f"http://x/{ext}",
                title="t", body="b", content_hash=ext * 4, **kw)
    s.add(m)
    s.flush()
    return m


def test_schema_at_head(db_url):
    assert migrate.current(db_url) == migrate.head()
    tables = set(inspect(get_engine(db_url)).get_table_names())
    assert {"mentions", "leads", "reservations", "offers", "partners", "users", "outbox_events", "apscheduler_jobs"} <= tables


def test_mention_unique_per_source_and_external_id(session):
    src = _source(session)
    _mention(session, src, "42")
    with pytest.raises(IntegrityError):
        _mention(session, src, "42")
    session.rollback()


def test_same_external_id_in_two_sources_is_fine(session):
    a, b = _source(session, "a"), _source(session, "b")
    _mention(session, a, "42")
    _mention(session, b, "42")
    assert session.scalar(select(Mention).where(Mention.external_id == "42").limit(1)) is not None


def test_source_kind_checked(session):
    session.add(Source(name="bad", kind="gopher"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_lead_stage_and_score_checked(session):
    session.add(Lead(stage="won?", score=10))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    session.add(Lead(stage="MQL", score=101))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_won_lead_needs_deal_size(session):
    session.add(Lead(stage="won", score=50))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_partner_user_needs_partner(session):
    session.add(User(username="p", role="partner"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_foreign_keys_enforced(session):
    session.add(Mention(source_id=999, external_id="x", url="u", canonical_url="u", content_hash="h"))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def _lead_and_partners(db_url):
    factory = get_sessionmaker(db_url)
    with factory.begin() as s:
        lead = Lead(stage="MQL", score=60, temperature="hot")
        p1, p2 = Partner(name="P1", type="reseller"), Partner(name="P2", type="reseller")
        s.add_all([lead, p1, p2])
        s.flush()
        return lead.id, p1.id, p2.id


def test_second_active_reservation_refused_by_database(db_url):
    lead_id, p1, p2 = _lead_and_partners(db_url)
    factory = get_sessionmaker(db_url)
    due = utcnow() + dt.timedelta(days=7)
    with factory.begin() as s:
        s.add(Reservation(lead_id=lead_id, partner_id=p1, feedback_due_at=due))
    with pytest.raises(IntegrityError):
        with factory.begin() as s:
            s.add(Reservation(lead_id=lead_id, partner_id=p2, feedback_due_at=due))
    # a raw INSERT that bypasses the ORM is refused too
    with pytest.raises(IntegrityError):
        with get_engine(db_url).begin() as c:
            c.execute(text("INSERT INTO reservations (lead_id, partner_id, status, reserved_at, feedback_due_at) "
                           "VALUES (:l, :p, 'active', :n, :n)"), {"l": lead_id, "p": p2, "n": dt.datetime(2026, 1, 1)})
    # after the first one is released, a new active reservation is allowed
    with factory.begin() as s:
        s.execute(Reservation.__table__.update().values(status="released"))
        s.add(Reservation(lead_id=lead_id, partner_id=p2, feedback_due_at=due))
    with factory() as s:
        assert s.scalar(select(Reservation).where(Reservation.status == "active")).partner_id == p2


def test_only_one_active_model_version(session):
    session.add(ModelVersion(version="a", artifact_path="x", active=True))
    session.add(ModelVersion(version="b", artifact_path="y", active=False))
    session.flush()
    session.add(ModelVersion(version="c", artifact_path="z", active=True))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_datetimes_round_trip_as_aware_utc(session):
    src = _source(session)
    when = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    m = _mention(session, src, "t", published_at=when)
    session.commit()
    session.expire_all()
    got = session.get(Mention, m.id).published_at
    assert got == when and got.tzinfo is not None and got.utcoffset() == dt.timedelta(0)


def test_naive_datetime_refused(session):
    src = _source(session)
    with pytest.raises(Exception, match="naive datetime"):
        _mention(session, src, "n", published_at=dt.datetime(2026, 1, 1))
    session.rollback()


def test_sqlite_runs_wal_with_foreign_keys(sqlite_url):
    with get_engine(sqlite_url).connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_downgrade_and_upgrade_round_trip(db_url):
    migrate.downgrade(db_url, "base")
    assert migrate.current(db_url) is None
    assert "mentions" not in inspect(get_engine(db_url)).get_table_names()
    get_engine(db_url).dispose()
    migrate.upgrade(db_url)
    assert migrate.current(db_url) == migrate.head()


def test_models_match_migrations(db_url):
    """Autogenerate finds nothing to do: the models and the migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from radar.models import Base

    with get_engine(db_url).connect() as c:
        diff = compare_metadata(MigrationContext.configure(c), Base.metadata)
    assert diff == []
