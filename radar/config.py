"""Configuration: TOML files under a config folder, loaded into validated objects.

Settings are data: every field has a default, a help text (``description``) and an example
(``examples``). ``radar config docs`` renders the reference that the README carries, and a test
fails when a setting is missing from it.

The config folder is ``$RADAR_CONFIG`` or ``./config``. Relative paths inside it are resolved
against the folder's parent (the *instance root*), so ``radar init /srv/radar`` makes
``/srv/radar/config/*.toml`` and ``/srv/radar/data/``.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

CONFIG_FILES = ("radar.toml", "sources.toml", "personas.toml", "partners.toml")
LANGUAGES = ("de", "en", "other")
"""The languages the classifier tells apart (``radar.classify.text.detect_language``)."""

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, None: 1}

MIN_INTERVAL_ENV = "RADAR_TEST_MIN_INTERVAL"


def min_source_interval() -> float:
    """Shortest allowed source interval: 60 s, lowered only by ``$RADAR_TEST_MIN_INTERVAL``
    (tests and benchmarks run sources every few seconds against local servers)."""
    try:
        return max(0.1, float(os.environ[MIN_INTERVAL_ENV]))
    except (KeyError, ValueError):
        return 60.0


def parse_duration(value: Any) -> float:
    """Seconds from ``"15m"``, ``"2h"``, ``"1d"``, ``"30s"`` or a number of seconds.

    Example: ``parse_duration("15m") == 900``.
    """
    if isinstance(value, bool):
        raise ValueError("a duration must be a number of seconds or a string like '15m'")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        match = _DURATION.match(str(value))
        if not match:
            raise ValueError(f"{value!r} is not a duration; use a number with s, m, h or d, like '15m'")
        seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds <= 0:
        raise ValueError("a duration must be positive")
    return seconds


class ConfigError(Exception):
    """A configuration value is wrong. ``str()`` names the file, the key, the reason and an example."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_default=True)


# --------------------------------------------------------------------------- radar.toml
class GeneralSettings(Section):
    instance_name: str = Field("Business Radar", description="Name shown in the dashboard and in e-mails.", examples=["Radar ACME GmbH"])
    timezone: str = Field("Europe/Berlin", description="IANA time zone for schedules, digests and reports.", examples=["Europe/Vienna"])
    data_dir: str = Field("data", description="Folder for the SQLite database, models, exports and logs; relative to the instance root.", examples=["/var/lib/radar"])
    public_url: str = Field("http://127.0.0.1:8501", description="Address of the dashboard as users reach it; used for links in e-mails.", examples=["https://radar.example.com"])
    secret_key: str = Field("", description="Secret for one-click tokens and sessions. Empty: a random key is created in data_dir/secret.key.", examples=["a-long-random-string"])

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {v!r}") from None
        return v


class DatabaseSettings(Section):
    url: str = Field("", description="SQLAlchemy URL. Empty: SQLite at data_dir/radar.db. Overridden by RADAR_DATABASE_URL.", examples=["postgresql+psycopg://radar@127.0.0.1:5432/radar"])
    echo: bool = Field(False, description="Log every SQL statement (for debugging).", examples=[True])

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if v and not re.match(r"^(sqlite|postgresql)(\+\w+)?://", v):
            raise ValueError("only sqlite:// and postgresql:// URLs are supported")
        return v


class CrawlSettings(Section):
    user_agent: str = Field("BusinessRadarBot/0.1 (+{contact_url})", description="User-Agent of every request; {contact_url} is filled in.", examples=["AcmeRadar/1.0 (+https://acme.example/bot)"])
    contact_url: str = Field("https://example.com/radar-bot", description="Page that tells site owners who crawls and how to reach you.", examples=["https://acme.example/bot"])
    obey_robots_txt: bool = Field(True, description="Obey robots.txt. Leave on.", examples=[True])
    download_delay: float = Field(1.0, ge=0, description="Seconds between requests to one domain.", examples=[2.0])
    concurrent_requests_per_domain: int = Field(1, ge=1, le=16, description="Parallel connections per domain.", examples=[1])
    autothrottle: bool = Field(True, description="Adapt the delay to the server's response times (Scrapy AutoThrottle).", examples=[True])
    download_timeout: float = Field(30.0, gt=0, description="Seconds before one request is given up.", examples=[20])
    max_response_bytes: int = Field(10_000_000, gt=0, description="Responses larger than this are dropped with a recorded error.", examples=[5_000_000])
    retry_times: int = Field(3, ge=0, description="Retries of a request after 5xx, 429 or a timeout.", examples=[2])
    retry_backoff: float = Field(2.0, ge=0, description="Seconds before the first retry; doubles with each further retry (at most 60 s).", examples=[5.0])
    max_retry_after: float = Field(600.0, ge=0, description="Longest Retry-After (seconds) honoured; longer waits end the run and resume next time.", examples=[300])
    crawl_timeout: str = Field("10m", description="A whole crawl of one source is stopped after this long.", examples=["5m"])
    max_pages: int = Field(20, ge=1, description="Most listing pages fetched per source and run.", examples=[5])

    @field_validator("crawl_timeout")
    @classmethod
    def _dur(cls, v: str) -> str:
        parse_duration(v)
        return v


class SchedulerSettings(Section):
    jitter_seconds: int = Field(30, ge=0, description="Random delay added to each scheduled crawl so sources do not fire together.", examples=[60])
    misfire_grace: str = Field("1h", description="A run missed by less than this (e.g. after downtime) still runs, once.", examples=["30m"])
    shutdown_grace: str = Field("30s", description="On SIGTERM, running crawls get this long to finish before they are aborted.", examples=["60s"])
    classify_interval: str = Field("2m", description="How often unclassified mentions are classified.", examples=["5m"])
    escalation_interval: str = Field("15m", description="How often unreserved offers and overdue feedback are escalated.", examples=["1h"])
    export_interval: str = Field("1m", description="How often the webhook outbox and mail queue are delivered.", examples=["30s"])
    purge_interval: str = Field("1d", description="How often mentions older than retention.days are purged.", examples=["12h"])
    max_parallel_crawls: int = Field(4, ge=1, le=32, description="Crawls (one subprocess each) running at the same time; further due crawls wait their turn.", examples=[2])
    resync_interval: str = Field("30s", description="How often the service re-reads the sources table, so `radar config load` takes effect without a restart (SIGHUP: at once).", examples=["1m"])
    lock_timeout: str = Field("60s", description="The leader lock is stale (its holder presumed dead) when its heartbeat is older than this; the holder beats every quarter of it.", examples=["2m"])

    @field_validator("misfire_grace", "shutdown_grace", "classify_interval", "escalation_interval", "export_interval", "purge_interval", "resync_interval", "lock_timeout")
    @classmethod
    def _dur(cls, v: str) -> str:
        parse_duration(v)
        return v


class ClassifierSettings(Section):
    model: str = Field("bundled", description="'bundled' for the model shipped with the package, or a model version from `radar models list`.", examples=["2026-11-24T10-00-00"])
    weight_request: float = Field(0.6, ge=0, description="Weight of the help-request probability in the score.", examples=[0.5])
    weight_persona: float = Field(0.3, ge=0, description="Weight of the best persona fit in the score.", examples=[0.3])
    weight_urgency: float = Field(0.1, ge=0, description="Weight of urgency/interest in the score.", examples=[0.2])
    hot_threshold: int = Field(70, ge=0, le=100, description="Score from which a post is hot.", examples=[75])
    warm_threshold: int = Field(45, ge=0, le=100, description="Score from which a post is warm (below: cold).", examples=[40])
    request_threshold: float = Field(0.4, ge=0, le=1, description="Probability from which a post counts as a help request (0.4: with the direct-form floor, best balance of the city-forum cross-validation, the evaluation splits and sources the model was not trained on, see README Classifier; lower it for more, less sure requests).", examples=[0.3])
    request_threshold_by_language: dict[str, float] = Field(
        default_factory=lambda: {"de": 0.6},
        description="Request threshold per language of the post (`de`, `en`, `other`), in place of request_threshold for that language (German 0.6: the German posts between 0.4 and 0.6 were nearly all non-requests in the German evaluation split and the city-forum cross-validation, see README Classifier); `{}` uses request_threshold for all.",
        examples=[{"de": 0.5, "en": 0.4}])
    direct_request_floor: float = Field(0.8, ge=0, le=1, description="Least request probability of a post that asks in a direct request form (\"Kann mir jemand … empfehlen?\", \"Suche …\", \"Where can I buy …?\"; see README Classifier); 0 turns this off.", examples=[0.0])

    @field_validator("request_threshold_by_language")
    @classmethod
    def _langs(cls, v: dict[str, float]) -> dict[str, float]:
        for lang, t in v.items():
            if lang not in LANGUAGES:
                raise ValueError(f"unknown language {lang!r}: use one of {', '.join(LANGUAGES)}")
            if not 0 <= t <= 1:
                raise ValueError(f"threshold for {lang!r} is {t}: it must be between 0 and 1")
        return v

    def threshold_for(self, lang: str | None) -> float:
        """The request threshold for a post in ``lang``."""
        return self.request_threshold_by_language.get(lang or "other", self.request_threshold)

    @model_validator(mode="after")
    def _order(self) -> "ClassifierSettings":
        if self.warm_threshold > self.hot_threshold:
            raise ValueError("warm_threshold must not be above hot_threshold")
        if self.weight_request + self.weight_persona + self.weight_urgency <= 0:
            raise ValueError("at least one weight must be positive")
        return self


class LeadSettings(Section):
    auto_lead_min_score: int = Field(0, ge=0, le=100, description="Opportunities at or above this score become leads automatically; 0 turns this off.", examples=[85])
    offer_min_score: int = Field(40, ge=0, le=100, description="Leads below this score are not offered to partners.", examples=[50])
    required_fields: list[str] = Field(default_factory=lambda: ["summary"], description="Lead fields that must be filled before a lead is offered.", examples=[["summary", "region"]])
    require_qualification: bool = Field(False, description="Leads must be confirmed (need, budget, contact) by a qualifying user before they are offered.", examples=[True])
    offer_group_size: int = Field(3, ge=1, description="Partners in the first offer round (top k of matching).", examples=[5])
    offer_window: str = Field("24h", description="An offer nobody reserves within this goes to a wider group.", examples=["8h"])
    max_rounds: int = Field(3, ge=1, description="Offer rounds before the lead goes to the distributor / channel manager.", examples=[2])
    feedback_due: str = Field("7d", description="Time after a reservation by which the partner owes feedback.", examples=["5d"])
    revoke_after: str = Field("3d", description="Time after the feedback due date at which a reservation is revoked and re-offered.", examples=["2d"])
    weight_skill: float = Field(0.4, ge=0, description="Matching: weight of skill overlap.", examples=[0.5])
    weight_level: float = Field(0.2, ge=0, description="Matching: weight of the partner level.", examples=[0.2])
    weight_conversion: float = Field(0.3, ge=0, description="Matching: weight of the smoothed conversion rate (won+1)/(closed+2).", examples=[0.3])
    weight_load: float = Field(0.1, ge=0, description="Matching: weight of recent load (fewer recent leads, higher).", examples=[0.2])
    points_fast_reservation: int = Field(5, description="Incentive points for reserving within fast_reservation_within of the offer.", examples=[10])
    points_timely_feedback: int = Field(3, description="Incentive points for feedback before it is due.", examples=[5])
    offer_min_stage: Literal["MQL", "SAL", "SQL"] = Field("MQL", description="Qualification gate: leads below this stage are not offered.", examples=["SAL"])
    offer_partner_types: list[Literal["manufacturer", "distributor", "reseller", "agency"]] = Field(
        default_factory=lambda: ["reseller"], description="Partner types that take part in matching (distributors and the manufacturer get escalations anyway).",
        examples=[["reseller", "distributor"]])
    fast_reservation_within: str = Field("1h", description="A reservation this soon after the offer earns points_fast_reservation.", examples=["30m"])
    load_window: str = Field("7d", description="Matching: offers received within this window count as a partner's recent load.", examples=["14d"])

    @field_validator("offer_window", "feedback_due", "revoke_after", "fast_reservation_within", "load_window")
    @classmethod
    def _dur(cls, v: str) -> str:
        parse_duration(v)
        return v

    @model_validator(mode="after")
    def _weights(self) -> "LeadSettings":
        if self.weight_skill + self.weight_level + self.weight_conversion + self.weight_load <= 0:
            raise ValueError("at least one matching weight (weight_skill, weight_level, weight_conversion, weight_load) must be positive")
        if not self.offer_partner_types:
            raise ValueError("offer_partner_types must name at least one partner type")
        return self


class NotifySettings(Section):
    enabled: bool = Field(True, description="Send e-mail at all.", examples=[False])
    smtp_host: str = Field("127.0.0.1", description="SMTP server.", examples=["smtp.example.com"])
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP port.", examples=[587])
    smtp_user: str = Field("", description="SMTP user; empty for none.", examples=["radar@example.com"])
    smtp_password: str = Field("", description="SMTP password (or set RADAR_SMTP_PASSWORD).", examples=["secret"])
    smtp_starttls: bool = Field(False, description="Use STARTTLS.", examples=[True])
    smtp_ssl: bool = Field(False, description="Use implicit TLS (SMTPS, usually port 465) instead of plain SMTP or STARTTLS.", examples=[True])
    smtp_timeout: float = Field(20.0, gt=0, description="Seconds before an SMTP connection is given up.", examples=[10])
    from_address: str = Field("Business Radar <radar@localhost>", description="Sender of every e-mail.", examples=["Radar <radar@example.com>"])
    digest_time: str = Field("07:30", description="Local time of the daily digest (HH:MM).", examples=["08:00"])
    digest_count: int = Field(10, ge=1, description="Opportunities in the daily digest.", examples=[15])
    weekly_report_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = Field("mon", description="Day of the weekly KPI report.", examples=["fri"])
    token_ttl: str = Field("7d", description="How long one-click e-mail buttons stay valid.", examples=["3d"])
    max_attempts: int = Field(10, ge=1, description="Times a message the SMTP server rejects temporarily (4xx) is retried before it is marked failed. An unreachable server uses up no attempts: the mail waits.", examples=[20])
    retry_base: float = Field(60.0, gt=0, description="First retry delay of a mail in seconds; doubles each attempt, with jitter.", examples=[30])
    retry_max: float = Field(3600.0, gt=0, description="Longest retry delay of a mail in seconds.", examples=[1800])
    reminder_before: str = Field("1d", description="Partners are reminded of owed feedback this long before it is due (and daily once overdue).", examples=["2d"])

    @field_validator("digest_time")
    @classmethod
    def _hhmm(cls, v: str) -> str:
        if not re.match(r"^([01]\d|2[0-3]):[0-5]\d$", v):
            raise ValueError("use HH:MM, 24-hour clock")
        return v

    @field_validator("token_ttl", "reminder_before")
    @classmethod
    def _dur(cls, v: str) -> str:
        parse_duration(v)
        return v


class ExportSettings(Section):
    webhook_url: str = Field("", description="Endpoint of the distribution system for lead events; empty turns webhooks off.", examples=["https://crm.example.com/hooks/radar"])
    webhook_secret: str = Field("", description="Secret for the webhook signature, 'whsec_' + base64 (Standard Webhooks) or any string.", examples=["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"])
    webhook_timeout: float = Field(10.0, gt=0, description="Seconds before a delivery attempt is given up.", examples=[5])
    max_attempts: int = Field(12, ge=1, description="Delivery attempts before an event is marked failed.", examples=[8])
    backoff_base: float = Field(5.0, gt=0, description="First retry delay in seconds; doubles each attempt, with jitter.", examples=[10])
    backoff_max: float = Field(3600.0, gt=0, description="Longest retry delay in seconds.", examples=[1800])
    export_dir: str = Field("exports", description="Folder (under data_dir) for scheduled CSV/JSONL exports.", examples=["/srv/exports"])


class RetentionSettings(Section):
    days: int = Field(180, ge=1, description="Mentions older than this that never became a lead are purged.", examples=[90])


class DashboardSettings(Section):
    address: str = Field("127.0.0.1", description="Address the dashboard listens on.", examples=["0.0.0.0"])
    port: int = Field(8501, ge=1, le=65535, description="Port of the dashboard.", examples=[8080])


class LoggingSettings(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", description="Log level.", examples=["DEBUG"])
    file: str = Field("", description="Also log to this file (relative to data_dir), rotated; empty for stderr only.", examples=["radar.log"])
    max_bytes: int = Field(10_000_000, gt=0, description="Size at which the log file is rotated.", examples=[5_000_000])
    backups: int = Field(5, ge=0, description="Rotated log files kept.", examples=[10])


class RadarSettings(Section):
    general: GeneralSettings = Field(default_factory=GeneralSettings, description="Instance-wide settings.")
    database: DatabaseSettings = Field(default_factory=DatabaseSettings, description="Where the data lives.")
    crawl: CrawlSettings = Field(default_factory=CrawlSettings, description="Politeness and limits of every crawl.")
    scheduler: SchedulerSettings = Field(default_factory=SchedulerSettings, description="The always-on service.")
    classifier: ClassifierSettings = Field(default_factory=ClassifierSettings, description="Scoring and temperature.")
    leads: LeadSettings = Field(default_factory=LeadSettings, description="Lead qualification, matching, offers and feedback.")
    notify: NotifySettings = Field(default_factory=NotifySettings, description="E-mail.")
    export: ExportSettings = Field(default_factory=ExportSettings, description="Webhooks and file exports.")
    retention: RetentionSettings = Field(default_factory=RetentionSettings, description="Personal data retention.")
    dashboard: DashboardSettings = Field(default_factory=DashboardSettings, description="The Streamlit dashboard.")
    logging: LoggingSettings = Field(default_factory=LoggingSettings, description="Logs.")


# --------------------------------------------------------------------------- sources.toml
SOURCE_KINDS = ("feed", "reddit", "hackernews", "stackexchange", "discourse", "mastodon", "forum")


class SourceConfig(Section):
    """One ``[[sources]]`` table. Kind-specific keys are checked by :meth:`_kind_fields`."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Unique name of the source.", examples=["reddit-smallbusiness"])
    kind: Literal["feed", "reddit", "hackernews", "stackexchange", "discourse", "mastodon", "forum"] = Field(description="Source kind.", examples=["reddit"])
    interval: str = Field("30m", description="How often the source is crawled.", examples=["15m"])
    enabled: bool = Field(True, description="Crawl this source.", examples=[False])
    language: Literal["de", "en", ""] = Field("", description="Language hint when detection is unsure.", examples=["de"])
    base_url: str = Field("", description="Base address of the API or site (self-hosted instances, proxies, tests).", examples=["https://www.reddit.com"])
    note: str = Field("", description="Why this source is here, or why it is disabled.", examples=["needs an API key"])
    # feed / forum
    url: str = Field("", description="feed, forum: address of the feed or listing page (may be relative to base_url).", examples=["https://forum.example.de/feed.xml"])
    # reddit
    subreddit: str = Field("", description="reddit: subreddit name without r/.", examples=["smallbusiness"])
    query: str = Field("", description="reddit, hackernews, discourse: search query.", examples=["recommend accounting software"])
    comments: bool = Field(False, description="reddit, hackernews: also collect comments.", examples=[True])
    client_id: str = Field("", description="reddit: OAuth client id (optional).", examples=["abc123"])
    client_secret: str = Field("", description="reddit: OAuth client secret (optional).", examples=["s3cr3t"])
    # hackernews
    tags: str = Field("", description="hackernews: Algolia tags (e.g. 'ask_hn'); stackexchange: tags separated by ';'.", examples=["ask_hn"])
    # stackexchange
    site: str = Field("", description="stackexchange: site name.", examples=["softwarerecs"])
    key: str = Field("", description="stackexchange: API key (optional, raises the quota).", examples=["U4DMV*8nvpm3EOpvf69Rxw(("])
    # discourse
    category: str = Field("", description="discourse: category slug (optional).", examples=["support"])
    # mastodon
    tag: str = Field("", description="mastodon: hashtag without #.", examples=["followerpower"])
    # forum
    selectors: dict[str, str] = Field(default_factory=dict, description="forum: CSS (or 'xpath:...') selectors: thread_link, title, body, author, date, next_page.", examples=[{"thread_link": "a.thread-title::attr(href)"}])

    @field_validator("interval")
    @classmethod
    def _interval(cls, v: str) -> str:
        if parse_duration(v) < min_source_interval():
            raise ValueError("interval must be at least 60 seconds; be polite to the sites you crawl")
        return v

    @model_validator(mode="after")
    def _kind_fields(self) -> "SourceConfig":
        need = {
            "feed": ["url"],
            "reddit": [],
            "hackernews": [],
            "stackexchange": ["site"],
            "discourse": ["base_url"],
            "mastodon": ["base_url", "tag"],
            "forum": ["url"],
        }[self.kind]
        for key in need:
            if not getattr(self, key):
                raise ValueError(f"a {self.kind} source needs '{key}'")
        if self.kind == "reddit" and not (self.subreddit or self.query):
            raise ValueError("a reddit source needs 'subreddit' or 'query'")
        if self.kind == "forum":
            for key in ("thread_link", "title", "body"):
                if key not in self.selectors:
                    raise ValueError(f"a forum source needs selectors.{key}")
        return self

    @property
    def interval_seconds(self) -> float:
        return parse_duration(self.interval)


class SourcesFile(Section):
    sources: list[SourceConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> "SourcesFile":
        seen: set[str] = set()
        for s in self.sources:
            if s.name in seen:
                raise ValueError(f"source name {s.name!r} is used twice")
            seen.add(s.name)
        return self


# --------------------------------------------------------------------------- personas.toml
class PointRange(Section):
    min: float = Field(description="Lower bound, inclusive.")
    max: float = Field(description="Upper bound, inclusive.")
    points: float = Field(ge=0, description="Points when the value lies in [min, max].")

    @model_validator(mode="after")
    def _order(self) -> "PointRange":
        if self.min > self.max:
            raise ValueError(f"range min {self.min} is above max {self.max}")
        return self


class PointTerms(Section):
    terms: list[str] = Field(min_length=1, description="Words or phrases (any language); matched case-insensitively on lemmas and text.")
    points: float = Field(ge=0, description="Points when any of the terms occurs.")


class Criterion(Section):
    name: str = Field(description="Criterion name shown in explanations.", examples=["company size"])
    type: Literal["keywords", "range", "region", "industry", "language"] = Field(description="keywords: phrase lists; range: numbers such as employees; region/industry: named lists; language: de/en.")
    weight: float = Field(1.0, ge=0, description="Multiplier of this criterion's points.")
    values: list[PointTerms] = Field(default_factory=list, description="keywords/region/industry/language: term lists with their points.")
    ranges: list[PointRange] = Field(default_factory=list, description="range: numeric ranges with their points.")
    unit: str = Field("", description="range: what the number counts, used to find it in text (employees, users, seats, locations).", examples=["employees"])

    @model_validator(mode="after")
    def _shape(self) -> "Criterion":
        if self.type == "range" and not self.ranges:
            raise ValueError(f"criterion {self.name!r} of type range needs 'ranges'")
        if self.type != "range" and not self.values:
            raise ValueError(f"criterion {self.name!r} of type {self.type} needs 'values'")
        return self

    @property
    def max_points(self) -> float:
        items = self.ranges if self.type == "range" else self.values
        return self.weight * max((i.points for i in items), default=0)


class PersonaConfig(Section):
    name: str = Field(description="Short unique name.", examples=["it-service-dach"])
    title: str = Field("", description="Human name.", examples=["IT service provider for small firms (DACH)"])
    description: str = Field("", description="Who this buyer is and what they need.")
    languages: list[str] = Field(default_factory=lambda: ["de", "en"], description="Languages this persona is found in.")
    exclude: list[str] = Field(default_factory=list, description="Negative keywords: a post containing one scores 0 for this persona.")
    criteria: list[Criterion] = Field(min_length=1, description="Criteria that earn points.")

    @property
    def max_points(self) -> float:
        return sum(c.max_points for c in self.criteria)


class PersonasFile(Section):
    personas: list[PersonaConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> "PersonasFile":
        names = [p.name for p in self.personas]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"persona names used twice: {', '.join(sorted(dup))}")
        return self


# --------------------------------------------------------------------------- partners.toml
class PartnerUserConfig(Section):
    username: str
    role: Literal["partner", "qualifier"] = Field("partner", description="partner: works the partner's leads; qualifier: confirms need, budget and contact before leads go out (agency, telesales).")
    email: str = ""
    display_name: str = ""
    channel: Literal["email", "webhook"] = "email"
    cadence: Literal["instant", "daily", "weekly"] = "daily"
    min_temperature: Literal["hot", "warm", "cold"] = "warm"


class RadarConfig(Section):
    name: str
    query: str = Field(description="Boolean query: AND, OR, NOT, \"phrases\", parentheses.", examples=['(buchhaltung OR datev) AND NOT "stellenangebot"'])
    languages: list[str] = Field(default_factory=list)
    min_score: int = Field(0, ge=0, le=100)
    personas: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list)
    cadence: Literal["instant", "daily", "weekly"] = "daily"
    channel: Literal["email", "webhook"] = "email"

    @field_validator("query")
    @classmethod
    def _query(cls, v: str) -> str:
        from radar.leads.query import QuerySyntaxError, parse

        try:
            parse(v)
        except QuerySyntaxError as exc:
            raise ValueError(f"query syntax error at position {exc.position}: {exc.reason}") from None
        return v


class PartnerConfig(Section):
    name: str
    type: Literal["manufacturer", "distributor", "reseller", "agency"]
    parent: str = ""
    level: str = "standard"
    level_weight: float = Field(1.0, ge=0)
    certifications: list[str] = Field(default_factory=list)
    skills: list[str] = Field(default_factory=list)
    regions: list[str] = Field(default_factory=list, description="Country codes (DE, AT, CH) or postcode prefixes (DE-7, AT-1).")
    capacity_per_week: int = Field(5, ge=0)
    active: bool = True
    users: list[PartnerUserConfig] = Field(default_factory=list)
    radars: list[RadarConfig] = Field(default_factory=list)


class PartnersFile(Section):
    partners: list[PartnerConfig] = Field(default_factory=list)

    @model_validator(mode="after")
    def _parents(self) -> "PartnersFile":
        names = {p.name for p in self.partners}
        for p in self.partners:
            if p.parent and p.parent not in names:
                raise ValueError(f"partner {p.name!r} names parent {p.parent!r}, which is not defined")
        return self


# --------------------------------------------------------------------------- loading
@dataclass
class Config:
    """Everything loaded from one config folder."""

    folder: Path
    settings: RadarSettings = field(default_factory=RadarSettings)
    sources: list[SourceConfig] = field(default_factory=list)
    personas: list[PersonaConfig] = field(default_factory=list)
    partners: list[PartnerConfig] = field(default_factory=list)

    @property
    def root(self) -> Path:
        return self.folder.resolve().parent

    @property
    def data_dir(self) -> Path:
        p = Path(self.settings.general.data_dir).expanduser()
        return p if p.is_absolute() else self.root / p

    @property
    def database_url(self) -> str:
        env = os.environ.get("RADAR_DATABASE_URL")
        if env:
            return env
        if self.settings.database.url:
            return self.settings.database.url
        return f"sqlite:///{self.data_dir / 'radar.db'}"

    def source(self, name: str) -> SourceConfig:
        for s in self.sources:
            if s.name == name:
                return s
        raise KeyError(f"no source named {name!r} in {self.folder / 'sources.toml'}; `radar sources list` shows them")


def default_config_folder() -> Path:
    return Path(os.environ.get("RADAR_CONFIG") or "config")


def _example_for(model: type[BaseModel], loc: tuple) -> tuple[str, str] | None:
    """``(key, value)``: the ``examples`` of the setting at ``loc``, to show a right value (for an
    entry of a table setting such as ``request_threshold_by_language.de``: the whole setting's)."""
    current: Any = model
    info, name = None, None
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            if info is not None and getattr(info.annotation, "__origin__", None) is dict:
                break  # a key inside a table setting: the setting's example
            return None
        info, name = current.model_fields.get(str(part)), str(part)
        if info is None:
            return None
        ann = info.annotation
        current = _inner_model(ann)
    if info is None or name is None:
        return None
    if info.examples:
        return name, _toml_value(info.examples[0])
    if info.default is not None and not callable(info.default) and str(info.default) != "PydanticUndefined":
        return name, _toml_value(info.default)
    return None


def _inner_model(ann: Any) -> Any:
    args = getattr(ann, "__args__", None)
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for a in args or ():
        inner = _inner_model(a)
        if inner is not None:
            return inner
    return None


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return str(v)


def _describe(path: Path, data: dict, model: type[BaseModel], err: ValidationError) -> list[str]:
    problems = []
    for e in err.errors():
        loc = tuple(e["loc"])
        key = _loc_text(data, loc)
        msg = e["msg"].removeprefix("Value error, ")
        if e["type"] == "extra_forbidden":
            msg = "unknown setting (misspelt?); `radar config docs` lists the valid ones"
        example = _example_for(model, loc) if e["type"] != "extra_forbidden" else None
        got = ""
        if "input" in e and not isinstance(e["input"], dict) and e["type"] != "missing":
            got = f" (got {e['input']!r})"
        line = f"{path}: {key}: {msg}{got}"
        if example is not None:
            line += f". Example: {example[0]} = {example[1]}"
        problems.append(line)
    return problems


def _loc_text(data: Any, loc: tuple) -> str:
    """``[crawl] download_delay`` or ``sources[2] (name "x").interval``."""
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int):
            label = f"[{part}]"
            try:
                node = node[part]
                if isinstance(node, dict) and "name" in node:
                    label = f"[{part}] (name {node['name']!r})"
            except (IndexError, KeyError, TypeError):
                node = None
            if parts:
                parts[-1] += label
            else:
                parts.append(label)
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts) if parts else "(file)"


def _read_toml(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"{path}: not valid TOML: {exc}. Check quotes and brackets near that line."]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot be read: {exc}"]) from None


def load_config(folder: str | Path | None = None) -> Config:
    """Load and validate all config files in ``folder`` (default ``$RADAR_CONFIG`` or ``./config``).

    Missing files mean defaults; every problem in every file is collected into one
    :class:`ConfigError`.

    Example: ``cfg = load_config("config"); cfg.settings.crawl.download_delay``
    """
    folder = Path(folder) if folder is not None else default_config_folder()
    if not folder.is_dir():
        raise ConfigError([f"{folder}: config folder not found. Create one with `radar init DIR` or set RADAR_CONFIG to an existing folder."])
    problems: list[str] = []
    parsed: dict[str, Any] = {}
    specs: list[tuple[str, type[BaseModel]]] = [
        ("radar.toml", RadarSettings),
        ("sources.toml", SourcesFile),
        ("personas.toml", PersonasFile),
        ("partners.toml", PartnersFile),
    ]
    for fname, model in specs:
        path = folder / fname
        try:
            data = _read_toml(path)
        except ConfigError as exc:
            problems.extend(exc.problems)
            continue
        try:
            parsed[fname] = model.model_validate(data)
        except ValidationError as exc:
            problems.extend(_describe(path, data, model, exc))
    if problems:
        raise ConfigError(problems)
    cfg = Config(
        folder=folder,
        settings=parsed["radar.toml"],
        sources=parsed["sources.toml"].sources,
        personas=parsed["personas.toml"].personas,
        partners=parsed["partners.toml"].partners,
    )
    return cfg


# --------------------------------------------------------------------------- reference docs
def iter_settings(model: type[BaseModel] = RadarSettings, prefix: str = "") -> list[tuple[str, str, Any, str]]:
    """``(section, key, default, help)`` for every setting of radar.toml."""
    rows = []
    for sec_name, sec_field in model.model_fields.items():
        sec_model = sec_field.annotation
        for key, info in sec_model.model_fields.items():  # type: ignore[union-attr]
            default = info.default_factory() if info.default_factory else info.default
            rows.append((sec_name, key, default, info.description or ""))
    return rows


def iter_source_keys() -> list[tuple[str, Any, str]]:
    rows = []
    for key, info in SourceConfig.model_fields.items():
        if info.is_required():
            default: Any = "(required)"
        else:
            default = info.default_factory() if info.default_factory else info.default
        rows.append((key, default, info.description or ""))
    return rows


def settings_reference_markdown() -> str:
    """The configuration reference as Markdown (the README embeds it)."""
    lines = ["### `radar.toml`", "", "| setting | default | what it does |", "|---|---|---|"]
    for sec, key, default, help_text in iter_settings():
        lines.append(f"| `[{sec}] {key}` | `{_toml_value(default)}` | {help_text} |")
    lines += ["", "### `sources.toml` (one `[[sources]]` table per source)", "", "| key | default | what it does |", "|---|---|---|"]
    for key, default, help_text in iter_source_keys():
        d = default if default == "(required)" else f"`{_toml_value(default)}`"
        lines.append(f"| `{key}` | {d} | {help_text} |")
    return "\n".join(lines) + "\n"

