"""The ingest steps: clean text, language, canonical URLs, fingerprints, dedupe and grouping."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from sqlalchemy import select

from radar.db import get_engine, get_sessionmaker
from radar.models import Mention, Source
from radar.pipelines import InvalidItem, MentionStore, prepare_item
from radar.spiders.items import MentionItem
from radar.textproc import (
    SimHashIndex,
    canonical_url,
    clean_text,
    detect_language,
    hamming,
    html_to_text,
    markdown_to_text,
    simhash,
)
from conftest import SHARED_DATA


def test_html_to_text_keeps_paragraphs_drops_scripts():
    html = ("<div><p>Hallo zusammen,</p><p>wir suchen einen <b>IT-Dienstleister</b>&nbsp;für 60 Mitarbeiter.<br>Danke!</p>"
            "<script>alert('x')</script><style>p{}</style><ul><li>eins</li><li>zwei</li></ul></div>")
    assert html_to_text(html) == "Hallo zusammen,\n\nwir suchen einen IT-Dienstleister für 60 Mitarbeiter.\nDanke!\n\neins\nzwei"
    assert html_to_text("Fish &amp; Chips") == "Fish & Chips"
    assert html_to_text("<p>unclosed <b>bold") == "unclosed bold"


@pytest.mark.parametrize("markup,text", [
    ("   <p>x</p>  tail", "x\n\ntail"),  # leading whitespace, text after a block
    ("x<div>y</div>z", "x\n\ny\n\nz"),
    ("<p>a<br/>b<br>c</p><li>d<li>e", "a\nb\nc\n\nd\ne"),  # lines in a paragraph, one per list item
    ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "ab\nc"),
    ("<html><head><title>T</title></head><body> x <p>y</p></body></html>", "x\n\ny"),  # a whole document
    ("<!-- c --><?pi x?><p>a &nbsp; b\u200b\tc</p>", "a b c"),
    ("<p>eins</p>\n\u200b\n<b>zwei</b>", "eins\n\nzwei"),
    ("<div>\r\n<p>cr</p>\r\n</div>", "cr"),
    ("&lt;p&gt;escaped&lt;/p&gt;", "<p>escaped</p>"),  # markup escaped once is text
])
def test_html_to_text_whitespace_blocks_and_documents(markup, text):
    assert html_to_text(markup) == text


def test_markdown_lightly():
    md = "# Frage\n\n**Welche** Software für [DATEV](https://datev.de) &amp; Lohn?\n\n> zitiert\n\n* Punkt `code`"
    assert markdown_to_text(md) == "Frage\n\nWelche Software für DATEV & Lohn?\n\nzitiert\n\n* Punkt code"
    assert clean_text("a\n\n\n\nb", "text") == "a\n\nb"


def test_canonical_url_drops_tracking_and_sorts():
    assert canonical_url("HTTPS://Example.com:443/a/b?utm_source=x&b=2&fbclid=1&a=1#frag") == "https://example.com/a/b?a=1&b=2"
    assert canonical_url("http://forum.de/viewtopic.php?t=5&sid=abc&PHPSESSID=9") == "http://forum.de/viewtopic.php?t=5"
    assert canonical_url("") == ""


@pytest.mark.parametrize("text,hint,expected", [
    ("Hallo, kann mir jemand einen guten Steuerberater in Stuttgart empfehlen? Wir sind eine kleine Firma.", None, "de"),
    ("Can anyone recommend a good accounting tool for a small business with 20 employees?", None, "en"),
    ("Как пережить новогоднюю ночь и не сойти с ума от салатов", None, "other"),
    ("Olá a todos, alguém conhece um bom contabilista no Porto para uma pequena empresa?", None, "other"),
    ("DATEV Lohn", "de", "de"),
    ("ok", None, None),
])
def test_detect_language(text, hint, expected):
    assert detect_language(text, hint) == expected


def test_detect_language_on_real_german_forum_posts():
    path = SHARED_DATA / "posts" / "computer_forum_support_de.jsonl"
    if not path.exists():
        pytest.skip("../shared/data/posts is not available")
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert [detect_language(t) for t in texts].count("de") == len(texts)


# file → (language, field); None: the hand label ``lang`` of each row decides
_LANGUAGE_SETS = {
    "computer_forum_support_de.jsonl": ("de", "text"),
    "germeval2017_db_feedback_de.jsonl": ("de", "body"),
    "germeval2018_tweets_de.jsonl": ("de", "body"),
    "germeval2021_comments_de.jsonl": ("de", "body"),
    "hotel_review_sentences_de.jsonl": ("de", "body"),
    "reddit_stuttgart_de.labeled.jsonl": (None, "title+body"),
    "reddit_techsupport_en.jsonl": ("en", "body"),
    "softwarerecs_titles_en.jsonl": ("en", "title"),
    "hn_titles_2016_en.jsonl": ("en", "title"),
}


def test_detect_language_on_real_german_and_english_posts():
    """Tweets, comments, review sentences, forum posts, Reddit posts and HN/Stack Exchange titles:
    at least 95 % right in every file and 97.5 % over all (the stop-word + langdetect detector this
    one replaced scored 97.5 %; bench/language.py prints both)."""
    right = total = 0
    for name, (lang, field) in _LANGUAGE_SETS.items():
        path = SHARED_DATA / "posts" / name
        if not path.exists():
            pytest.skip(f"{path} is not available (../shared/data/posts holds the real posts)")
        rows = []
        for line in path.read_text(encoding="utf-8").splitlines()[:1000]:
            row = json.loads(line)
            text = f"{row.get('title') or ''}\n{row.get('body') or ''}" if field == "title+body" else row.get(field) or ""
            if (lang or row.get("lang")) in ("de", "en"):
                rows.append((text, lang or row["lang"]))
        hits = sum(1 for text, truth in rows if detect_language(text) == truth)
        assert hits >= 0.95 * len(rows), f"{name}: {hits}/{len(rows)} right"
        right, total = right + hits, total + len(rows)
    assert total > 7000 and right >= 0.975 * total, f"{right}/{total} right"


@pytest.mark.parametrize("text", [
    "Bonjour, quelqu'un peut-il me recommander un bon comptable à Lyon pour une petite entreprise ?",
    "Hola, ¿alguien conoce un buen programa de facturación para autónomos en España?",
    "Hallo allemaal, kan iemand een goede boekhouder in Utrecht aanraden voor ons kleine bedrijf?",
    "Ciao a tutti, qualcuno conosce un buon commercialista a Milano per una piccola azienda?",
    "Cześć, czy ktoś może polecić dobrego księgowego w Krakowie dla małej firmy?",
    "Hej, kan någon rekommendera en bra redovisningsbyrå i Stockholm för ett litet företag?",
    "Nieuwe versie van de software",
    "Problema con la impresora",
    "東京で良い税理士を探しています",
])
def test_other_languages_stay_other_despite_the_german_english_prior(text):
    assert detect_language(text) == "other"


def test_simhash_near_duplicates_are_close_and_others_far():
    a = ("Wir sind ein Handwerksbetrieb in Stuttgart mit 60 Mitarbeitern und suchen einen IT-Dienstleister, der unser "
         "Netzwerk, die Server und die Arbeitsplätze betreut. Bisher macht das ein Mitarbeiter nebenbei, das geht so nicht "
         "weiter. Wichtig sind uns schnelle Reaktionszeiten und jemand, der DATEV kennt. Hat jemand Empfehlungen?")
    b = a.replace("Stuttgart", "Esslingen") + " Danke!"
    c = ("Can anyone recommend a bookkeeping app that works with German tax rules, supports multiple currencies and "
         "exports to DATEV? We are a team of five and currently use spreadsheets for everything.")
    ha, hb, hc = simhash(a), simhash(b), simhash(c)
    assert hamming(ha, hb) <= 6 < hamming(ha, hc)
    assert simhash("zu kurz") is None
    index = SimHashIndex()
    index.add(ha, 7)
    assert index.find(hb) == 7 and index.find(hc) is None


def test_fingerprints_in_one_pass_equal_content_hash_and_simhash():
    from radar.textproc import content_hash, fingerprints

    texts = [("Zeiterfassung gesucht", html_to_text(TEXT), "Anna"), ("", "zu kurz", None), ("ΣΊΣΥΦΟΣ Titel", "Wörter " * 500, " Bob ")]
    path = SHARED_DATA / "posts" / "reddit_stuttgart_de.labeled.jsonl"
    if path.exists():
        texts += [(r.get("title") or "", r.get("body") or "", r["id"]) for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())]
    for title, body, author in texts:
        assert fingerprints(title, body, author) == (content_hash(title, body, author), simhash(f"{title}\n{body}"))


def test_prepare_item_rejects_empty():
    with pytest.raises(InvalidItem):
        prepare_item(MentionItem(source="s", external_id="1", title="", body="<p> </p>"))


def _store(db_url, name):
    with get_sessionmaker(db_url).begin() as s:
        src = Source(name=name, kind="feed", settings={})
        s.add(src)
        s.flush()
        sid = src.id
    return MentionStore(get_engine(db_url), sid).open()


def _item(ext, url, title, body, author="anna"):
    return prepare_item(MentionItem(source="x", external_id=ext, url=url, title=title, body=body, author=author,
                                    published_at=dt.datetime(2025, 11, 24, 9, tzinfo=dt.timezone.utc)))


TEXT = ("<p>Wir sind ein Handwerksbetrieb mit 60 Mitarbeitern und suchen eine Software für Zeiterfassung "
        "und Lohnabrechnung, die mit DATEV zusammenarbeitet. Bisher schreiben alle ihre Stunden auf Zettel, "
        "und die Buchhaltung tippt sie am Monatsende ab. Hat jemand Erfahrungen mit solchen Lösungen?</p>")


def test_dedupe_and_grouping(db_url):
    a, b = _store(db_url, "a"), _store(db_url, "b")
    first = a.store(_item("1", "https://forum.de/t/1?utm_source=x", "Zeiterfassung gesucht", TEXT))
    assert first.status == "new" and first.group_id is None
    assert a.store(_item("1", "https://forum.de/t/1", "Zeiterfassung gesucht", TEXT)).reason == "external_id"
    assert b.store(_item("99", "https://forum.de/t/1#reply", "anders", "ganz anderer Text hier")).reason == "url"
    assert a.store(_item("2", "https://forum.de/t/2", "Zeiterfassung gesucht", TEXT)).reason == "content"
    cross = b.store(_item("7", "https://other.de/p/7", "Zeiterfassung gesucht", TEXT))  # cross-post, same text
    near = b.store(_item("8", "https://other.de/p/8", "Zeiterfassung gesucht!", TEXT.replace("Hat jemand", "Hat wer"), author="bob"))
    other = b.store(_item("9", "https://other.de/p/9", "Drucker", "Mein Drucker druckt seit dem Update keine Seiten mehr, was kann ich tun?"))
    assert (cross.status, cross.group_id) == ("new", first.mention_id)
    assert (near.status, near.group_id) == ("new", first.mention_id)
    assert (other.status, other.group_id) == ("new", None)
    a.close(), b.close()
    with get_sessionmaker(db_url)() as s:
        rows = list(s.scalars(select(Mention).order_by(Mention.id)))
    assert len(rows) == 4 and all(m.classified_at is None for m in rows)
    assert rows[0].canonical_url == "https://forum.de/t/1" and rows[0].url == "https://forum.de/t/1?utm_source=x"
    assert rows[0].body.startswith("Wir sind ein Handwerksbetrieb") and rows[0].language == "de"
    # a fresh store (a new crawl process) groups against what is already stored
    c = _store(db_url, "c")
    again = c.store(_item("x", "https://third.de/x", "Zeiterfassung gesucht", TEXT.replace("60", "61"), author="carl"))
    assert again.group_id == first.mention_id
    c.close()


def test_racing_stores_keep_one_copy(db_url):
    """Several crawl workers storing the same post at the same moment: exactly one is new, the
    others are duplicates (the unique constraint is the last line of defence), none errors."""
    import threading

    first = _store(db_url, "a")
    stores = [first] + [MentionStore(get_engine(db_url), first.source_id).open() for _ in range(3)]
    results, errors = [], []
    for round_no in range(5):
        barrier = threading.Barrier(len(stores))

        def work(store, n=round_no):
            try:
                barrier.wait()
                results.append(store.store(_item(f"r{n}", f"https://forum.de/t/r{n}", f"Titel {n}", TEXT)).status)
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)
        threads = [threading.Thread(target=work, args=(st,)) for st in stores]
        [t.start() for t in threads]
        [t.join() for t in threads]
    assert errors == []
    assert results.count("new") == 5 and results.count("duplicate") == 15
    with get_sessionmaker(db_url)() as s:
        assert len(list(s.scalars(select(Mention.id)))) == 5
    for st in stores:
        st.close()


def test_nul_bytes_and_missing_urls_store_on_every_engine(db_url):
    store = _store(db_url, "a")
    item = prepare_item(MentionItem(source="a", external_id="n\x00ul", url=None, title="Titel\x00", body="Text mit \x00 NUL-Byte und mehr"))
    assert store.store(item).status == "new"
    assert store.store(prepare_item(MentionItem(source="a", external_id="n2", url="", title="anderes", body="ganz andere Worte"))).status == "new"
    store.close()
    with get_sessionmaker(db_url)() as s:
        assert [m.title for m in s.scalars(select(Mention).order_by(Mention.id))] == ["Titel", "anderes"]


def test_lone_surrogates_store_on_every_engine(db_url):
    # JSON APIs can send half an emoji ("\ud83d" without its pair, e.g. text cut in the middle);
    # json.loads accepts it, but no database can encode it: it becomes U+FFFD, the post is kept
    raw = json.loads('{"title": "Hilfe \\ud83d", "body": "Wo bekomme ich \\udc4d Ersatzteile?", "author": "\\ud800x"}')
    item = prepare_item(MentionItem(source="a", external_id="sur\ud83d", url="https://forum.de/t/\udc00",
                                    title=raw["title"], body=raw["body"], author=raw["author"],
                                    extra={"flair": "Frage \ud83d", "tags": ["a\x00b", "ok"], "k\udc00": 1}))
    assert (item.title, item.body, item.author) == ("Hilfe \ufffd", "Wo bekomme ich \ufffd Ersatzteile?", "\ufffdx")
    store = _store(db_url, "a")
    assert store.store(item).status == "new"
    store.close()
    with get_sessionmaker(db_url)() as s:
        m = s.scalars(select(Mention)).one()
        assert (m.title, m.external_id) == ("Hilfe \ufffd", "sur\ufffd")
        assert (m.extra["flair"], m.extra["tags"], m.extra["k\ufffd"]) == ("Frage \ufffd", ["ab", "ok"], 1)


def _count_mentions(db_url) -> int:
    with get_sessionmaker(db_url)() as s:
        return len(list(s.scalars(select(Mention.id))))


def test_batch_is_one_transaction_that_sees_its_own_rows(db_url):
    store = _store(db_url, "a")
    store.batch_size = 10
    first = store.add(_item("1", "https://forum.de/t/1", "Zeiterfassung gesucht", TEXT))
    again = store.add(_item("1", "https://forum.de/t/1", "Zeiterfassung gesucht", TEXT))  # same post in the same batch
    near = store.add(_item("2", "https://forum.de/t/2", "Zeiterfassung gesucht!", TEXT.replace("Hat jemand", "Hat wer"), author="bob"))
    assert (first.status, again.status, again.reason) == ("new", "duplicate", "external_id")
    assert (near.status, near.group_id) == ("new", first.mention_id)  # grouped with an uncommitted row
    assert store.pending == 2 and not store.due()
    assert _count_mentions(db_url) == 0  # nothing is stored before the commit
    settled = store.flush()
    assert [(item.external_id, r.status) for item, r in settled] == [("1", "duplicate"), ("1", "new"), ("2", "new")]
    assert _count_mentions(db_url) == 2 and store.flush() == []
    store.close()


def test_an_open_batch_is_lost_whole_and_stored_by_the_next_run(db_url):
    """A crash (here: close without flush) loses the uncommitted batch and nothing else; the next
    run, which fetches the same posts again, stores them."""
    store = _store(db_url, "a")
    store.batch_size, store.batch_seconds = 10, 0.2
    assert store.store(_item("0", "https://forum.de/t/0", "Drucker", "Mein Drucker druckt seit dem Update keine Seiten mehr.")).status == "new"
    store.add(_item("1", "https://forum.de/t/1", "Zeiterfassung gesucht", TEXT))
    assert not store.due() and not store.due(idle=0.2)
    time.sleep(0.25)
    assert store.due()  # older than batch_seconds
    store.batch_seconds = 10
    assert not store.due() and store.due(idle=0.2)  # no item for 0.2 s
    source_id = store.source_id
    store.close()
    assert _count_mentions(db_url) == 1
    rerun = MentionStore(get_engine(db_url), source_id).open()
    assert rerun.store(_item("1", "https://forum.de/t/1", "Zeiterfassung gesucht", TEXT)).status == "new"
    assert rerun.store(_item("0", "https://forum.de/t/0", "Drucker", "Mein Drucker druckt seit dem Update keine Seiten mehr.")).reason == "external_id"
    rerun.close()
    assert _count_mentions(db_url) == 2


@pytest.mark.parametrize("pending_first", [False, True], ids=["conflict-first", "conflict-after-pending"])
def test_batch_falls_back_item_by_item_when_another_writer_stored_a_post_first(db_url, pending_first):
    """Two crawl processes store the same post: B looks it up before A commits, so B's insert
    hits the unique constraint; B's batch is rolled back and stored again item by item, and the
    post stays stored once. B runs on an engine of its own, as another process would."""
    import threading

    from sqlalchemy import event

    from radar.db import make_engine

    if pending_first and db_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer at a time: B cannot hold uncommitted rows while A's are uncommitted")
    a = _store(db_url, "a")
    a.batch_size = 10
    b_engine = make_engine(db_url)
    b = MentionStore(b_engine, a.source_id, batch_size=10).open()
    b_inserts_x = threading.Event()

    @event.listens_for(b_engine, "before_cursor_execute")
    def _watch(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT") and "x" in (parameters.values() if isinstance(parameters, dict) else parameters):
            b_inserts_x.set()

    x = lambda: _item("x", "https://forum.de/t/x", "Zeiterfassung gesucht", TEXT)  # noqa: E731
    y = lambda: _item("y", "https://forum.de/t/y", "Drucker", "Mein Drucker druckt seit dem Update keine Seiten mehr.")  # noqa: E731
    assert a.add(x()).status == "new"
    results: dict = {}

    def crawl_b():
        try:
            if pending_first:
                results["y"] = b.add(y())
            results["x"] = b.add(x())
            if not pending_first:
                results["y"] = b.add(y())
            results["settled"] = b.flush()
        except Exception as exc:  # noqa: BLE001
            results["error"] = exc

    worker = threading.Thread(target=crawl_b)
    worker.start()
    assert b_inserts_x.wait(30), "B never tried to insert the post"
    a.flush()  # A commits while B's insert waits (or before it runs): B's insert must conflict
    worker.join(60)
    assert "error" not in results
    assert b.fallbacks == 1
    assert (results["x"].status, results["x"].reason) == ("duplicate", "external_id")
    settled = {item.external_id: r.status for item, r in results["settled"]}
    assert settled == {"x": "duplicate", "y": "new"}
    a.close(), b.close()
    b_engine.dispose()
    with get_sessionmaker(db_url)() as s:
        assert sorted(s.scalars(select(Mention.external_id))) == ["x", "y"]
