"""Request phrases in German and English, as spaCy ``PhraseMatcher``/``Matcher`` patterns.

Each *group* is a kind of evidence (asks for a recommendation, looks for a supplier, states an
opinion, reads like news, ...). Matches become features of the learned model *and* the evidence
phrases of the explanation. The groups carry the request itself rather than the topic, so a model
trained on tech-support posts still recognises "Kann mir jemand einen Steuerberater empfehlen?".

The lists are plain data: add a phrase to the right group and language; phrases are matched
case-insensitively on tokens (so "kann mir jemand" also matches "Kann mir JEMAND").
"""

from __future__ import annotations

import re

# group -> (English label, German label) for explanations
GROUP_LABELS: dict[str, tuple[str, str]] = {
    "ask_help": ("asks for help", "bittet um Hilfe"),
    "help_word": ("mentions help/advice", "erwähnt Hilfe/Rat"),
    "ask_recommendation": ("asks for a recommendation", "fragt nach einer Empfehlung"),
    "seek": ("is looking for something", "sucht etwas"),
    "where_buy": ("asks where to get something", "fragt, wo es etwas gibt"),
    "provider_word": ("mentions a provider", "nennt einen Anbieter"),
    "ask_experience": ("asks about experiences", "fragt nach Erfahrungen"),
    "ask_comparison": ("compares options", "vergleicht Optionen"),
    "problem": ("describes a problem", "beschreibt ein Problem"),
    "need": ("states a need", "nennt einen Bedarf"),
    "thanks_ahead": ("thanks in advance", "bedankt sich im Voraus"),
    "opinion": ("states an opinion", "äußert eine Meinung"),
    "statement_recommend": ("recommends something itself (not asking)", "empfiehlt selbst etwas (fragt nicht)"),
    "news": ("reads like news or a press release", "liest sich wie eine Nachricht"),
    "offer": ("offers or sells something", "bietet etwas an oder verkauft"),
    "job_ad": ("reads like a job advert", "liest sich wie eine Stellenanzeige"),
    "show_off": ("shows off own work", "zeigt eigenes Werk"),
    "story": ("tells a story", "erzählt eine Geschichte"),
    "resolved": ("already solved / a guide", "bereits gelöst / eine Anleitung"),
    "rhetorical": ("rhetorical question or complaint", "rhetorische Frage oder Beschwerde"),
    "poll": ("opinion poll or discussion", "Umfrage oder Diskussion"),
    "curiosity": ("asks out of curiosity (what is this, what happened)", "fragt aus Neugier (was ist das, was ist passiert)"),
}

URGENCY_LABELS: dict[str, tuple[str, str]] = {
    "deadline": ("time pressure", "Zeitdruck"),
    "budget": ("budget or price", "Budget oder Preis"),
    "evaluating": ("evaluating options", "evaluiert Optionen"),
    "purchase": ("purchase intent", "Kaufabsicht"),
    "company": ("speaks for a company or team", "spricht für eine Firma oder ein Team"),
}

_P = {
    "ask_help": {
        "de": """kann mir jemand helfen|kann mir jemand|könnt ihr mir helfen|könnt ihr helfen|kann jemand helfen|bitte um hilfe|
brauche hilfe|brauche eure hilfe|brauche dringend hilfe|hilfe gesucht|wer kann mir helfen|wer kann helfen|weiß jemand|weiss jemand|
wisst ihr|hat jemand eine idee|hat jemand ahnung|hat jemand einen tipp|habt ihr eine idee|habt ihr tipps|hat jemand tipps|
habt ihr einen tipp|bin ratlos|weiß nicht weiter|weiss nicht weiter|weiß nicht mehr weiter|komme nicht weiter|was kann ich tun|
was soll ich tun|was tun|was kann ich machen|wie gehe ich vor|wie kann ich|wie kann man|wie bekomme ich|wie mache ich|
frage an euch|ich habe eine frage|hab eine frage|habe eine frage|kurze frage|kennt sich jemand|kennt sich hier jemand|
jemand eine idee|irgendwelche ideen|wer kennt sich aus|für jede hilfe|bin für jeden tipp dankbar|für jeden tipp|über hilfe|ich wollte mal fragen|
wollte fragen|wollte mal fragen|kann man|darf man|muss ich|muss man|kann ich|wer kann uns helfen|kann uns jemand|
könnt ihr uns|wer kann uns|kann uns jemand helfen|hat jemand einen rat|brauchen hilfe|brauchen dringend hilfe""",
        "en": """can someone help|can anyone help|could someone help|can somebody help|could anyone help|help me|please help|need help|
need some help|help needed|any help|looking for help|need advice|advice needed|any advice|any ideas|any tips|any suggestions|
any thoughts|what should i do|what can i do|what do i do|how do i|how can i|how to|how would i|how should i|is there a way|
is there any way|does anyone know|anyone know|does somebody know|i'm stuck|i am stuck|not sure what to do|don't know what to do|
i have a question|quick question|question about|can i|should i|do i need|is it possible|am i able""",
    },
    "help_word": {
        "de": "hilfe|helfen|rat|ratschlag|ratschläge|tipp|tipps|frage|fragen|idee|ideen",
        "en": "help|advice|tips|tip|question|ideas|suggestions|guidance",
    },
    "ask_recommendation": {
        "de": """könnt ihr empfehlen|könnt ihr mir empfehlen|kann jemand empfehlen|kann mir jemand empfehlen|könnt ihr was empfehlen|
was könnt ihr empfehlen|was würdet ihr empfehlen|würdet ihr empfehlen|welche würdet ihr|welches würdet ihr|welchen würdet ihr|
was würdet ihr|habt ihr empfehlungen|hat jemand empfehlungen|hat jemand eine empfehlung|habt ihr eine empfehlung|empfehlungen|
empfehlung|empfehlenswert|kennt jemand einen guten|kennt jemand eine gute|kennt jemand ein gutes|kennt ihr einen guten|
kennt ihr eine gute|kennt jemand einen|kennt jemand eine|kennt jemand ein|kennt ihr einen|kennt ihr eine|kennt ihr ein|
wer kennt einen|wer kennt eine|wer kennt ein|kennt hier jemand einen|kennt hier jemand eine|gute adresse|tipps für|was ist der beste|was ist die beste|was ist das beste|
welcher ist der beste|welche ist die beste|alternative zu|alternativen zu|alternativen|vorschläge|gibt es eine gute|
gibt es einen guten|gibt es ein gutes|gibt es eine|gibt es einen|geheimtipp|geheimtipps|hidden gems|welche|welcher|welches""",
        "en": """any recommendations|recommendations for|recommendation for|recommendations|can you recommend|can anyone recommend|
could you recommend|would you recommend|what would you recommend|do you recommend|recommend me|please recommend|suggest a|
can anyone suggest|suggestions for|what's the best|what is the best|which is the best|best way to|best tool|best app|
best software|good alternative|alternative to|alternatives to|alternatives|alternative|looking for a good|looking for recommendations|
is there a good|is there an app|is there a tool|is there any|is there software|is there a|know a good|know of a good|know of any|
what tool|which tool|what software|which software|what app|which app|good resources|resources for|where to start|
where do i start|budget friendly|which|recommend|suggest""",
    },
    "seek": {
        "de": """ich suche|wir suchen|suche|suchen|gesucht|bin auf der suche|sind auf der suche|auf der suche nach|ich bräuchte|
wir bräuchten|bräuchte|suche einen|suche eine|suche ein|suchen einen|suchen eine|suchen ein""",
        "en": """i'm looking for|i am looking for|we're looking for|we are looking for|looking for|searching for|seeking|in search of|
need someone|looking to hire|want to hire|hire a|hire someone""",
    },
    "where_buy": {
        "de": """wo bekomme ich|wo kriege ich|wo krieg ich|wo bekommt man|wo kann man|wo kann ich|wo gibt es|wo gibts|wo gibt's|
wo findet man|wo finde ich|woher bekomme ich|woher bekommt man|woher kriege ich|wo kauft man|wo kaufe ich|wo am besten""",
        "en": """where can i buy|where can i get|where can i find|where to buy|where to get|where to find|where do i buy|where do i get|
where do you buy|where should i buy|who sells|who can fix|who can do|who can help|where is the best place""",
    },
    "provider_word": {
        "de": """anbieter|dienstleister|firma|handwerker|fachmann|fachfirma|experte|experten|berater|beratung|agentur|werkstatt|
händler|shop|kostenvoranschlag|angebot einholen""",
        "en": """provider|vendor|supplier|contractor|agency|consultant|freelancer|service|company|shop|store|quote|repair shop|
specialist|expert""",
    },
    "ask_experience": {
        "de": """erfahrungen mit|erfahrung mit|hat jemand erfahrung|hat jemand erfahrungen|habt ihr erfahrungen|habt ihr erfahrung|
eure erfahrungen|wie sind eure erfahrungen|wer hat erfahrung|hat jemand schon|hat schon jemand|hat jemand von euch|
lohnt sich|lohnt es sich|taugt|ist das seriös|seriös|zufrieden mit|wie zufrieden|hat jemand|habt ihr""",
        "en": """experience with|experiences with|anyone used|anyone tried|has anyone|have you used|anyone using|anyone here|
who is using|is it worth|worth it|any experience|your experience|how good is|is it good|is it safe|is it legit|legit|
reviews of|opinions on|anyone else""",
    },
    "ask_comparison": {
        "de": """vs|vs.|versus|oder lieber|oder doch|besser als|was ist besser|welches ist besser|welcher ist besser|welche ist besser|
was würdet ihr nehmen|unterschied zwischen|im vergleich|vergleich""",
        "en": """vs|vs.|versus|or should i|better than|which is better|what's better|what is better|compared to|comparison|
difference between""",
    },
    "problem": {
        "de": """funktioniert nicht|funktioniert nicht mehr|geht nicht|geht nicht mehr|klappt nicht|lässt sich nicht|startet nicht|
problem|probleme|fehler|fehlermeldung|defekt|kaputt|abgestürzt|stürzt ab|hängt sich auf|bluescreen|virus|trojaner|
kein internet|keine verbindung|gehackt|störung|ausgefallen|fällt aus|hat nichts gebracht|hat nicht geholfen|
hat alles nichts gebracht|hat auch nichts gebracht|hat leider nichts gebracht|funktioniert immer noch nicht""",
        "en": """doesn't work|does not work|not working|stopped working|won't|wont|can't|cannot|unable to|error|issue|issues|
problem|problems|crash|crashes|crashing|freezes|freezing|broken|bsod|no signal|keeps|fails|failed|hacked|virus|malware|
trojan|stuck|help!|nothing worked|nothing has worked|nothing seems to work|nothing helped|didn't help|
did not help|didn't fix|still not working|still doesn't work|refuses to""",
    },
    "need": {
        "de": """ich brauche|wir brauchen|brauche|benötige|benötigen|ich möchte|wir möchten|ich will|wir wollen|ich würde gerne|
ich hätte gerne|wir planen|ich plane|würde gerne|möchte gerne""",
        "en": """i need|we need|i want to|i'd like to|i would like to|we want to|i'm trying to|i am trying to|trying to|i'm planning|
i am planning|we're planning|planning to|i plan to|want to buy|looking to buy|looking to|i'm thinking of|thinking about getting""",
    },
    "thanks_ahead": {
        "de": """danke im voraus|vielen dank im voraus|danke schon mal|danke schonmal|vielen dank schon mal|danke vorab|
besten dank im voraus|schon mal danke|schonmal danke|danke für eure hilfe|danke für die hilfe|danke euch|danke!""",
        "en": """thanks in advance|thank you in advance|thanks for any help|any help is appreciated|any help would be appreciated|
appreciate any help|thanks for the help|thanks for your help|thanks!|thank you!|tia""",
    },
    "opinion": {
        "de": """ich finde|finde ich|meiner meinung nach|meine meinung|ich denke|ich glaube|ich halte|unglaublich|schande|
sollte man|man sollte|typisch|peinlich|frechheit|unverschämt|lächerlich""",
        "en": """i think|in my opinion|imo|imho|i believe|i feel like|unpopular opinion|rant|ridiculous|shame|disgrace|
i love|i hate""",
    },
    "statement_recommend": {
        "de": """ich empfehle|ich kann empfehlen|kann ich empfehlen|kann ich nur empfehlen|sehr zu empfehlen|zu empfehlen|
empfehle ich|empfehle|empfiehlt|empfohlen""",
        "en": "i recommend|i'd recommend|i would recommend|highly recommend|i can recommend|recommended|recommends",
    },
    "news": {
        "de": """laut|berichtet|berichten|meldet|pressemitteilung|pressemeldung|presse|nachrichten|dpa|zufolge|teilte mit|
teilt mit|hat angekündigt|kündigt an|newsticker|bericht|studie|interview|podcast|live|video|artikel|polizei""",
        "en": """according to|announced|announces|reports|report|press release|breaking|study finds|launches|unveils|released|
interview|podcast|video|article|study|researchers|officials""",
    },
    "offer": {
        "de": """verkaufe|zu verkaufen|zu verschenken|biete|abzugeben|gebe ab|rabatt|gutschein|schnäppchen|deal|jetzt bestellen|
nur für|gratis|kostenlos|angebote|inkl.""",
        "en": """for sale|selling|discount|promo|coupon|free shipping|order now|deal|sale|giveaway|free""",
    },
    "job_ad": {
        "de": """m/w/d|m/w|w/m/d|stellenangebot|stellenanzeige|wir stellen ein|jetzt bewerben|bewerben sie sich|ihre aufgaben|
ihr profil|wir bieten|verstärkung|jobs|bewerbungen|bewerbung bitte|bewirb dich|bewerbungsunterlagen""",
        "en": """we're hiring|we are hiring|join our team|apply now|job opening|is hiring|who is hiring|hiring|job|send your cv|
send us your cv|send your resume|apply via|apply at""",
    },
    "show_off": {
        "de": """ich habe gebaut|hab gebaut|mein erstes|meine erste|stolz|endlich fertig|fertig!|präsentieren|vorstellen|
neu:|jetzt neu""",
        "en": """show hn|i built|i made|i created|my first build|just finished|just built|finally finished|proud|check out|
i wrote|launch|launched|introducing|we built|we made|showcase|my build|built this|finished my""",
    },
    "story": {
        "de": "geschichte|damals|vor jahren|gestern ist mir|neulich|erlebt|erzählt",
        "en": """story|tfts|tl;dr|tldr|one day|years ago|this happened|so this happened|long story short|back in|once upon""",
    },
    "resolved": {
        "de": "gelöst|erledigt|hat sich erledigt|problem gelöst|anleitung|tutorial|hinweis|psa",
        "en": "solved|resolved|fixed|[solved]|nevermind|psa|guide|tutorial|how i|til|reminder|update:",
    },
    "rhetorical": {
        "de": """schämt ihr euch|ernsthaft?|echt jetzt|wieso immer|warum immer|warum schon wieder|schon wieder|mal wieder|wtf|lol|
bin ich der einzige|bin ich die einzige|wer hätte das gedacht|oder?|oder was?|na?|danke bahn|haha|wieso|warum""",
        "en": """really?|seriously?|why does everyone|why do people|am i the only one|who else|wtf|lol|lmao|why is it|why are|
why is|why do|why does|why""",
    },
    "poll": {
        "de": """was haltet ihr|was haltet ihr davon|was meint ihr|wie findet ihr|eure meinung|umfrage|lieblings|diskussion|
was sagt ihr""",
        "en": """what do you think|what are your thoughts|thoughts on|what's your favorite|what is your favorite|your favorite|
your favourite|how do you|would you|are you|what would you do if|discussion|what are you|do you|did you|have you ever|
what's your|what is your|share your""",
    },
    "curiosity": {
        "de": """was ist das|was ist da los|was ist hier los|was war da los|was war das|was ist passiert|was passiert|
weiß jemand was|weiss jemand was|weiß jemand, was|weiss jemand, was|was sind diese|was ist dieser|was ist diese|
was ist dieses|wer kennt das|hat das jemand auch gesehen|hat das noch jemand|ist das normal|was bedeutet|wofür steht|
woher kommt|warum ist|warum gibt es|wieso ist|was soll das|was soll denn|was für ein|was für eine|fundstück|gesehen|
los war|was ging|was geht da ab|was war hier los|was war heute los""",
        "en": """what is this|what is that|what's this|what's that|what happened|what's going on|what is going on|what was that|
what are these|what does this mean|anyone else see|did anyone see|is it just me|why is there|why are there|what just|
who is this|spotted|found this|what happened at|what happened in|what happened on|what was going on|
what is going on at|what's going on at""",
    },
}

_U = {
    "deadline": {
        "de": """dringend|eilig|asap|schnellstmöglich|so schnell wie möglich|sofort|umgehend|noch heute|heute noch|bis morgen|
bis montag|bis freitag|bis ende|frist|deadline|zeitnah|kurzfristig|notfall|diese woche|nächste woche|heute|morgen""",
        "en": """urgent|urgently|asap|as soon as possible|right away|immediately|today|tomorrow|by monday|by friday|by the end of|
end of the month|this week|next week|deadline|emergency|time-sensitive|time sensitive|quickly""",
    },
    "budget": {
        "de": "budget|€|euro|eur|kosten|kostet|preis|preise|angebot|kostenvoranschlag|pro monat|lizenz|lizenzen|bezahlen|zahlen",
        "en": "budget|$|€|£|dollar|dollars|price|pricing|cost|costs|quote|per month|license|licenses|pay|afford|cheap",
    },
    "evaluating": {
        "de": """wir evaluieren|evaluieren|vergleichen gerade|auswahl|ausschreibung|wir prüfen|in frage kommen|testversion|
demo|vergleich|entscheiden|entscheidung""",
        "en": """we are evaluating|we're evaluating|evaluating|evaluate|we are comparing|shortlist|demo|trial|proof of concept|
rfp|tender|decide|decision|considering|options""",
    },
    "purchase": {
        "de": """kaufen|anschaffen|anschaffung|bestellen|beauftragen|buchen|wechseln|umsteigen|migrieren|investieren|
neu kaufen|zulegen|holen""",
        "en": """buy|buying|purchase|order|hire|switch to|migrate|replace|upgrade|subscribe|sign up|get a new|invest""",
    },
    "company": {
        "de": """mitarbeiter|mitarbeitende|angestellte|firma|unternehmen|betrieb|kanzlei|praxis|büro|gmbh|team|kunden|
mittelstand|handwerksbetrieb|verein""",
        "en": """employees|staff|company|business|firm|office|our team|clients|customers|startup|smb|small business|
organization|organisation|team""",
    },
}

INTERROGATIVES = {
    "de": set("""wie wo was welche welcher welches welchen wer wann warum wieso weshalb woher wohin womit kann könnt könnte
kennt gibt gibts hat habt ist sind darf dürfen muss müssen soll sollte sollten lohnt weiß weiss macht würdet
würde wisst funktioniert geht bekomme""".split()),
    "en": set("""how what where which who when why can could does do is are should would will any anyone has have did
was were may might whats what's where's""".split()),
}

# A body's sentence that asks without its question mark ("Is there any way to …", "Wie kündige ich
# am besten meinen Vertrag bei Vodafone", "What is the best option"): forum posts often leave it
# out. Its start (matched at the sentence's start) makes it a question for the direct forms
# (``Analyzer._direct_forms``), in a post's body only: a title without a mark is a headline's as
# often ("Is There a Crisis in Physics").
UNMARKED_QUESTION = {
    "de": re.compile(r"\W*(?:(?:wie|wo|was|womit|wohin|an wen|bei wem) (?:kann|könnte|soll|sollte|muss|bekomme|kriege|finde|"
                     r"mache|kündige|melde|beantrage|erreiche|löse|repariere|wechsle|installiere|entferne) (?:ich|man|wir)"
                     r"(?! (?:nur|bloß|denn nur|so)\b)|"
                     r"(?:kann|könnte) (?:mir |uns )?(?:jemand|wer|einer)|(?:hat|weiß|weiss|kennt) (?:hier )?(?:jemand|wer|einer)|"
                     r"gibt es (?:hier )?(?:eine?n?|irgendwo|jemand\w*)|(?:soll|sollte|muss|brauche|darf) ich|lohnt (?:es|sich))\b",
                     re.IGNORECASE),
    "en": re.compile(r"\W*(?:how (?:do|can|should|could|would) i|how (?:do|should) we|where (?:can|do|should) (?:i|we)|"
                     r"what (?:should|can|do) (?:i|we)|what(?:'s| is) the best|which (?:one )?(?:should|would) (?:i|we)|"
                     r"(?:can|could|would) (?:someone|anyone|somebody|you guys|you)|(?:does|do|has) (?:anyone|anybody|someone)|"
                     r"is there (?:a|an|any)|are there any|any (?:idea|ideas|suggestions?|recommendations?|tips|advice|help)|"
                     r"should i|do i need|is it (?:possible|worth|safe|normal|okay|ok))\b", re.IGNORECASE),
}

FIRST_PERSON = {"de": {"ich", "mein", "meine", "meinen", "meinem", "meiner", "mir", "mich", "wir", "unser", "unsere", "uns"},
                "en": {"i", "my", "me", "we", "our", "us", "i'm", "i've", "mine"}}
SECOND_PERSON = {"de": {"ihr", "euch", "eure", "euer", "jemand", "jemanden", "du", "dir", "dich"},
                 "en": {"you", "anyone", "anybody", "someone", "somebody", "your", "y'all", "guys"}}


def _split(block: str) -> list[str]:
    return [p.strip() for p in block.replace("\n", "").split("|") if p.strip()]


def phrase_groups() -> dict[str, dict[str, list[str]]]:
    """``{group: {lang: [phrase, ...]}}`` for request evidence."""
    return {g: {lang: _split(v) for lang, v in langs.items()} for g, langs in _P.items()}


def urgency_groups() -> dict[str, dict[str, list[str]]]:
    """``{group: {lang: [phrase, ...]}}`` for urgency/interest signals."""
    return {g: {lang: _split(v) for lang, v in langs.items()} for g, langs in _U.items()}


EMPFEHLEN_FORMS = ["empfehlen", "empfahl", "empfahlen", "empfahlst", "empfahlt", "empfehle", "empfehlend", "empfehlens",
                   "empfehlest", "empfehlet", "empfehlt", "empfiehl", "empfiehlst", "empfiehlt", "empfohlen", "empfähle",
                   "empfählen", "empfählest", "empfählet"]
"""Every form that spacy-lookups-data's German table lemmatises to "empfehlen" (the analyzer has no
lemmatizer component in its pipeline, so the token Matcher matches the forms instead of LEMMA)."""


def matcher_patterns(lang: str) -> dict[str, list[list[dict]]]:
    """Token patterns that a phrase list cannot express (``Matcher``)."""
    # patterns start with a specific word so the matcher stays cheap ("X vs Y" is a phrase,
    # "X or Y?" a regular expression: see COMPARISON_QUESTION)
    pats: dict[str, list[list[dict]]] = {"ask_recommendation": [], "where_buy": [], "ask_help": []}
    if lang == "de":
        # "wer kann uns kurzfristig helfen?", "kann mir da jemand weiterhelfen?"
        pats["ask_help"].append(
            [{"LOWER": {"IN": ["wer", "jemand", "kann", "könnt", "könnte", "könntet"]}}, {"OP": "{0,4}"},
             {"LOWER": {"IN": ["helfen", "weiterhelfen", "unterstützen", "beraten"]}}])
        # "kann mir jemand einen guten Steuerberater empfehlen?" — the verb comes last
        pats["ask_recommendation"].append(
            [{"LOWER": {"IN": ["kann", "könnt", "könnte", "könntet", "würdet"]}}, {"OP": "{0,8}"}, {"LOWER": {"IN": EMPFEHLEN_FORMS}}])
        pats["where_buy"].append(
            [{"LOWER": {"IN": ["wo", "woher"]}}, {"OP": "{0,5}"}, {"LOWER": {"IN": ["kaufen", "bekommen", "kriegen", "finden", "bestellen", "holen"]}}])
    else:
        # "can someone please help", "could anyone here advise"
        pats["ask_help"].append(
            [{"LOWER": {"IN": ["can", "could", "would", "anyone", "someone", "somebody"]}}, {"OP": "{0,4}"},
             {"LOWER": {"IN": ["help", "assist", "advise"]}}])
        pats["ask_recommendation"].append(
            [{"LOWER": {"IN": ["any", "good", "best", "decent", "cheap", "reliable", "affordable"]}}, {"OP": "{0,3}"},
             {"LOWER": {"IN": ["for", "under", "recommendations", "suggestions"]}}])
        pats["where_buy"].append(
            [{"LOWER": "where"}, {"OP": "{0,4}"}, {"LOWER": {"IN": ["buy", "get", "find", "order", "purchase"]}}])
    return pats


# "Scala or Elixir?", "Laufband oder draußen?": a short choice question
COMPARISON_QUESTION = re.compile(r"\b(\w[\w.+-]*) (?:or|oder) (\w[\w.+-]*)(?: \w+){0,2} ?\?", re.IGNORECASE)


# --------------------------------------------------------------------------- direct request forms
# A few forms ask so plainly that a post using them is a help request whatever else it says:
# "Kann mir jemand einen Steuerberater empfehlen?", "Wo bekomme ich …?", "Suche …", "lexoffice
# oder sevDesk?" above a body that asks. The learned model has seen few of them in German (its
# German requests are mostly railway tweets), so it can miss them in a body or under a bare title;
# for such a post the request probability is at least ``[classifier] direct_request_floor``.
# Measured precision and counts: README "Classifier". Question forms are looked for in sentences
# ending with "?"; ``OPENING`` in the title (or the first sentence of a post without a title).
_GAP = r"(?:[^?]{0,%d})"
# the trades and professions a customer asks about ("Brauche ich einen Steuerberater …?", "What does a
# plumber charge …?"): naming one turns a question into a request for a provider
_PRO_DE = (r"(?:(?:maler|malermeister|\w*(?:installateur|handwerker|elektriker|klempner|dachdecker|steuerberater|anwalt|anwältin|werkstatt|"
           r"schreiner|tischler|gärtner|fliesenleger|gutachter|notar|makler|berater|beraterin|architekt|agentur|dienstleister|"
           r"umzugsfirma|reinigungsfirma|schlüsseldienst|kammerjäger|heizungsbauer|sanitär|mechaniker|fachmann|fachfrau|profi|"
           r"beauftragte|putzfrau|putzkraft|reinigungskraft|haushaltshilfe|babysitter|tagesmutter|nachhilfelehrer|fotograf))"
           r"(?:in|en|s|n)?)")
# local services a city forum asks for ("Welcher Friseur kann mit Locken umgehen?", "Which vet has an
# emergency service today?")
# (compounds end in the service, "Hausarzt", "Fahrschule"; only a short ending after it: "\w*bar\w*" was
# "machbar", "Nachbar")
_LOCAL_DE = (r"(?:\w*(?:friseur|arzt|ärztin|physiotherapeut|schneider|werkstatt|handwerker|restaurant|café|cafe|kneipe|"
             r"schule|apotheke|fitnessstudio)(?:in|e|en|es|s|n)?|kitas?|bars?)")
_LOCAL_EN = (r"(?:hairdresser|barber|salon|vet|dentist|doctor|physio|tailor|restaurant|cafe|bar|daycare|kita|kindergarten|school|pharmacy|gym|"
             r"mechanic|plumber|electrician|lawyer|accountant|shop|store|garage|gp|therapist|physician|pediatrician|"
             r"optician)s?")
_PRO_EN = (r"(?:plumber|electrician|mechanic|contractor|lawyer|attorney|accountant|cpa|bookkeeper|handyman|roofer|painter|"
           r"locksmith|realtor|real estate agent|tax (?:advisor|preparer|professional)|financial advisor|architect|inspector|"
           r"notary|consultant|freelancer|developer|designer|photographer|cleaner|landscaper|exterminator|professional|"
           r"repair shop|body shop|shop|dealer|dealership|agency|doctor|dentist|gp|physician|therapist|physiotherapist|vet|"
           # German trades and professions named in English posts (expats in the first market)
           r"tutor|mover|moving company|tailor|hairdresser|barber|hausarzt|steuerberater|handwerker|anwalt)s?")
# software and services a post may ask for by kind ("… a free folder music player", "any Android app that …")
# a product's own noun phrase before it (not "a new approach to software education")
_NP_EN = r"(?:(?!(?:to|of|for|in|on|about|with|and|the)\b)[\w/-]+ )"
_PRODUCT_EN_WORDS = (r"software|tools?|apps?|applications?|programs?|librar(?:y|ies)|services?|editors?|frameworks?|"
                     r"platforms?|utilit(?:y|ies)|plugins?|extensions?|browsers?|viewers?|players?|databases?|crm|erp|cms|"
                     r"ide|vpn|hosting|provider")
_PRODUCT_EN = r"(?:" + _PRODUCT_EN_WORDS + r")"
# things people buy (the purchase and price forms)
_GOODS_EN = (r"(?:laptop|notebook|pc|computer|desktop|gaming pc|build|monitor|printer|phone|smartphone|tablet|headphones|"
             r"earbuds|headset|speakers?|tv|camera|router|mesh system|nas|keyboard|mouse|office chair|chair|desk|bike|"
             r"e-bike|ebike|car|stroller|mattress|vacuum|coffee machine|espresso machine)s?")
_GOODS_DE = (r"(?:laptop|notebook|pc|rechner|computer|gaming-pc|monitor|bildschirm|drucker|handy|smartphone|tablet|kopfhörer|"
             r"headset|lautsprecher|fernseher|tv|kamera|router|nas|tastatur|maus|bürostuhl|schreibtisch|fahrrad|e-bike|"
             r"auto|kinderwagen|matratze|staubsauger|kaffeemaschine|kaffeevollautomat|siebträger)s?")
DIRECT_QUESTIONS: dict[str, dict[str, list[str]]] = {
    "de": {
        "recommendation": [
            r"\b(?:kann|könnte|könnt|könntet|würdet|würden)\b" + _GAP % 80 + r"\b(?:empfehlen|empfehlt)\b",
            # "Hat jemand einen guten Zahnarzt in Berlin-Mitte?" (a trade or a local service: not "Hat jemand
            # einen guten Witz?")
            r"\b(?:hat|habt) (?:hier )?(?:jemand|wer|ihr) (?:einen|eine|ein) (?:guten|gute|gutes|zuverlässigen|zuverlässige|"
            r"empfehlenswerten|empfehlenswerte|netten|nette) (?:\w+ )?(?:" + _PRO_DE + r"|" + _LOCAL_DE + r")",
            r"\b(?:habt ihr|hat jemand|hättet ihr|hat hier jemand|hat wer|gibt es|irgendwelche)\b" + _GAP % 40
            + r"\b(?:empfehlung(?:en)?|tipps?|vorschläge|geheimtipps?|ideen)\b",
            r"\bkennt (?:jemand|ihr|wer)\b" + _GAP % 50
            + r"\b(?:gute[nmrs]?|zuverlässige[nmrs]?|empfehlenswerte[nmrs]?|seriöse[nmrs]?|günstige[nmrs]?)\b",
            r"\bwas (?:würdet|könnt) ihr\b" + _GAP % 40 + r"\b(?:empfehlen|nehmen|kaufen|raten)\b",
            # "Welche Tipps habt ihr, um die Hitze auszuhalten?"
            r"\bwelche (?:tipps|empfehlungen|vorschläge|ideen) (?:habt|hättet|hat|hätte) (?:ihr|jemand|wer)\b",
            # "Was sind die hidden gems von Stuttgart?", "Was sind eure Geheimtipps?"
            r"\bwas (?:sind|wären) (?:die|eure|deine|so|ein paar)\b" + _GAP % 30
            + r"\b(?:hidden gems|geheimtipps?|empfehlungen|tipps)\b",
            # "Welches Kassensystem ist GoBD-konform und nicht zu teuer?" (a product named: not "Welcher Turm
            # ist das?")
            r"\bwelche[srnm]? (?:[\w-]+ ){0,2}?[\w-]*(?:system|software|programm|app|tool|anbieter|dienstleister|gerät|"
            r"drucker|laptop|notebook|router|kasse|lösung|tarif|versicherung|konto|plattform|hoster|provider)(?:e|en|s)? "
            r"(?:ist|sind|wäre|wären|eignet|eignen|taugt|taugen|lohnt|könnt|würdet|nutzt|nehmt|habt|empfehlt)\b",
            # "Was ist ein gutes Programm für die Buchhaltung?", "Gibt es sowas wie Trello auf Deutsch?",
            # "Existiert ein Tool, das PDFs zusammenfügt?" (the English forms of the softwarerecs titles; a
            # product or provider named, not "Was ist ein guter Film?")
            r"\bwas (?:ist|wäre|sind|wären) (?:denn )?(?:ein|eine|einige|so)? ?(?:gute[rsn]?|empfehlenswerte[rsn]?|brauchbare[rsn]?|"
            r"zuverlässige[rsn]?|günstige[rsn]?|kostenlose[rsn]?) (?:\w+ ){0,2}?(?:app|tool|programm|software|alternative|"
            r"anbieter|dienstleister|lösung|plugin|erweiterung|webseite|plattform|werkstatt|firma|gerät|drucker|laptop|"
            r"router)\w*",
            r"\bgibt es (?:so )?(?:etwas|sowas|so etwas|was) (?:ähnliches |vergleichbares )?wie\b",
            r"\bexistiert (?:ein|eine|so ein|sowas|irgendein)\w*\b" + _GAP % 60
            + r"\b(?:app|tool|programm|software|plugin|erweiterung|dienst|anbieter|lösung)\w*",
            # "Was könnte man in Köln an einem Samstag unternehmen?"
            r"\bwas (?:kann|könnte|sollte) (?:man|ich|wir)\b" + _GAP % 50
            + r"\b(?:unternehmen|besuchen|erleben|anschauen|ansehen|essen gehen)\b",
            # "Was nutzt ihr für die Buchhaltung?", "… Was nutzt ihr so?"
            r"\bwas (?:nutzt|verwendet|benutzt|nehmt) ihr (?:so )?(?:für|als|zum|zur|um)\b",
            # "Womit habt ihr gute Erfahrungen gemacht?"
            r"\bwomit habt ihr (?:gute |die besten |schlechte )?erfahrungen\b",
            r"\bwas (?:nutzt|verwendet|benutzt) ihr(?: so| dafür| da| denn)?\s*\?",
            # "Kennt jemand einen Dachdecker in Leipzig?", "Kennt jemand eine*n Anwalt für Vereinsrecht?"
            # (labelled posts: 2 of 2 requests), not "Kennt jemand einen Grund, warum …?"
            r"\bkennt (?:hier )?(?:jemand|ihr|wer|irgendwer|irgendjemand) (?:hier |zufällig |von euch )?(?:einen|eine|ein)\b"
            r"(?! (?:grund|erklärung|witz|beispiel)\b)",
            # the forum's short form: "Jemand eine Empfehlung?", "Wer Tipps für …?"
            r"^\W*(?:jemand|wer|irgendwer|irgendjemand) (?:hier )?(?:eine?n? |noch |ein paar )?"
            r"(?:empfehlung(?:en)?|tipps?|vorschläge|geheimtipps?|erfahrung(?:en)? (?:mit|bei|zu))\b",
            # "Wo kann man in Stuttgart gut essen?"
            r"\bwo (?:kann|könnte|sollte) (?:man|ich|wir)\b" + _GAP % 40 + r"\b(?:gut|günstig|lecker|am besten)\b",
            # "Wo kann man am Wochenende schön frühstücken?", "Welcher Friseur kann mit Locken umgehen?",
            # "Wer macht in Stuttgart gute Änderungen?", "Was ist für Angestellte sinnvoller?"
            r"\bwo (?:kann|könnte|sollte) (?:man|ich|wir)\b[^?]{0,50}\b(?:essen|frühstücken|brunchen|feiern|einkaufen|"
            r"übernachten|schwimmen|tanzen|trinken|schön|gemütlich)\b",
            r"\bwelche[rsn]? (?:\w+ )?" + _LOCAL_DE + r" (?:in \w+ |hier |in der nähe )?(?:kann|macht|hat|nimmt|repariert|bietet)\b",
            r"\bwer (?:macht|repariert|bietet|verkauft|installiert|schneidet)\b[^?]{0,40}\b(?:gute[nrs]?|günstige[nrs]?|"
            r"zuverlässig|preiswert)",
            r"\bwas (?:ist|wäre) (?:für \w+ (?:[\w-]+ ){0,3})?(?:sinnvoller|günstiger|empfehlenswerter)\b",
            # "Was ist eure Empfehlung?", "Was empfehlt ihr?", "Ist es sinnvoll, jetzt noch … abzuschließen?"
            r"\b(?:was ist|was wäre) (?:eure|deine|ihre) empfehlung\b",
            r"\bwas (?:empfehlt|empfiehlst) (?:ihr|du)\b",
            r"\bist es (?:noch |überhaupt |wirklich |denn )?sinnvoll\b",
            # the forum's title-like questions: "Empfehlungen für einen guten Inder in Leipzig?", "Bester
            # Internetanbieter in München?" (not "Vorschläge für weitere Daten?", feedback on a show-off,
            # nor a poll about the reader: "Bester Moment in deinem Leben?")
            r"^\W*empfehlung(?:en)? (?:für|zu)\b",
            # a provider and a place, asked as a title: "Englischsprachiger Hausarzt in Stuttgart?"
            # (not a question opened by a question word or a verb: "Wie ist das machbar bei so wenig Zeit?")
            # (not a poll of favourites: "Welches ist euer Lieblingscafé in der Innenstadt?")
            r"^\W*(?![^?]*\blieblings)(?!(?:warum|wieso|weshalb|was|wer|wann|wie|wo|ist|sind|war|hat|haben|kann|können|wird|werden|gibt|darf|"
            r"soll)\b)(?:[\w-]+ ){0,3}" + _LOCAL_DE + r" (?:in|bei|um|nahe) [\w -]{2,30}\?",
            r"^\W*(?:beste[rsn]?|günstigste[rsn]?|gute[rsn]?) (?![^?]*\b(?:deine[mnrs]?|eure[mnrs]?|euer|dein|ihr)\b)[\w -]{2,40} "
            r"(?:in|für|bei|um) [^?]{1,40}\?",
            # "Worauf sollte man beim Kauf achten?"; "Welche Haftpflichtversicherung habt ihr?",
            # "Welchen Internetanbieter nutzt ihr?" (a provider or product named: not "Welche Meinung habt ihr?")
            r"\bworauf (?:sollte|sollten|muss|müsste|soll) (?:man|ich|wir)\b" + _GAP % 50 + r"\bachten\b",
            # "Welche Microsoft-365-Lizenz braucht man für 10 Plätze?", "Was ist da empfehlenswert?",
            # "Wärmepumpe im Altbau, macht das überhaupt Sinn?" (1 of 1 labelled posts)
            r"\bwelche[nrs]? (?:[\w-]+ ){0,3}(?:braucht|benötigt) (?:man|ich|wir)\b",
            # "Welcher Laptop ist für das Studium sinnvoll?", "Gibt es hier eine gute Werkstatt?"
            r"\bwelche[rsn]? (?:[\w-]+ ){0,2}(?:ist|wäre) (?:für \w+ (?:\w+ )?)?(?:sinnvoll|empfehlenswert|geeignet)\b",
            # "Welchen Passwortmanager nutzt ihr?" (a thing used, not "Welche Meinung habt ihr?"), "Reicht die
            # Fritzbox noch oder brauche ich eine neue?"
            r"\bwelche[nrs]? [\w-]+ (?:nutzt|verwendet|benutzt) ihr\b",
            # "Welches CRM lässt sich am besten mit Outlook verbinden?"
            r"\bwelche[nrs]? (?:[\w-]+ ){0,2}(?:lässt sich|eignet sich|ist) am besten\b",
            # "Welcher Stromanbieter ist gerade am günstigsten?"
            r"\bwelche[rsn]? (?:[\w-]+ ){0,2}(?:ist|sind|wäre) (?:gerade |aktuell |momentan |derzeit |denn )?am "
            r"(?:günstigsten|besten|zuverlässigsten)\b",
            # "Wir wollen weg von Mailchimp. Was nutzt man da heutzutage?"
            r"\bwas (?:nutzt|verwendet|benutzt|nimmt) man (?:(?:da|dafür|heute|heutzutage|so)\s*)*(?:\?|für|als|zum|zur)",
            # "Welches Handy würdet ihr für meine Oma kaufen?"
            r"\bwelche[nrs]? (?:[\w-]+ ){0,2}(?:soll|sollte|würdet|würden|könnt) (?:ich |man |ihr |wir )?(?:\w+ ){0,4}"
            r"(?:nehmen|kaufen|wählen|holen|empfehlen)\b",
            r"\bbrauche (?:ich|wir) (?:jetzt |dann |wirklich )?(?:eine?n? )?neue[nmrs]?\b",
            # (where: "Gibt es in der Innenstadt noch einen guten Brettspielladen?")
            r"\bgibt es (?:(?:hier|da|noch|irgendwo|bei euch|in der nähe|in (?:der |dem |den )?[\w-]+) ){0,3}(?:eine?n?|irgendeine?n?) (?:gute[nrs]?|zuverlässige[nrs]?|"
            r"empfehlenswerte[nrs]?|günstige[nrs]?|seriöse[nrs]?) [\w-]+",
            r"\bwas (?:ist|wäre) (?:da |hier |denn |dafür )?empfehlenswert\b",
            # asked: "Tipps für einen Kindergeburtstag mit 10 Kindern im Winter?" (not a project's "Vorschläge für
            # weitere Daten?", "Ideen für neue Features?": feedback on one's own work)
            r"^\W*(?:habt ihr |hat jemand )?(?:tipps|empfehlungen) (?:für|zu|zum|zur|fürs)\b[^?]{3,80}\?",
            # "Welcher Biergarten hat einen Spielplatz?", "Welche Kita hat noch Plätze frei?" (a place or service and
            # what it offers)
            r"\bwelche[rsn]? (?:[\w-]+ )?(?:" + _LOCAL_DE + r"|biergarten|bäckerei|metzger(?:ei)?|eisdiele|kino|schwimmbad|"
            r"\w*laden|\w*geschäft|\w*studio|\w*praxis) (?:hat|haben|bietet|bieten|macht|nimmt|nehmen|kann|ist am) ",
            # peers' own choice of a local service: "Männerhaarschnitt, nichts Besonderes. Wohin geht ihr?"
            r"^\W*(?:wohin|zu wem|wo) geht ihr(?: hin| so| immer| damit)?\s*\?",
            # "Günstigste Möglichkeit, 200 Pakete im Monat zu verschicken?" (asked, not an article's title)
            r"^\W*(?:der |die )?(?:günstigste|beste|einfachste|schnellste|sicherste) (?:weg|möglichkeit|variante),? (?:um )?\w+",
            # "Was ist die beste Lösung für …?", "Was wäre hier die beste Option?"
            r"\bwas (?:ist|wäre) (?:hier |da |denn |dann )?die beste (?:option|wahl|lösung|vorgehensweise|alternative)\b",
            # "Gibt es Tools, die Shopify direkt mit der Buchhaltung verbinden?"
            # "Was für Versicherungen braucht man da wirklich?"
            r"\b(?:was für|welche) (?:\w+ )?(?:versicherung(?:en)?|software|programme?|tools?|geräte?|lizenz(?:en)?|"
            r"genehmigung(?:en)?|unterlagen|papiere|zertifikate?) (?:braucht|benötigt) (?:man|ich|wir)\b",
            # "Unsere Website wurde gehackt. Wer kann sowas schnell bereinigen?"
            r"\bwer kann (?:mir |uns )?(?:sowas|so etwas|das|dies) (?:\w+ ){0,2}?(?:bereinigen|reparieren|machen|übernehmen|fixen|"
            r"einrichten|erledigen|installieren|prüfen|retten)\b",
            # "An wen kann ich mich da wenden?"
            r"\b(?:an wen|wen) (?:kann|soll|sollte|könnte|muss) (?:ich|man|wir) (?:mich |uns )?(?:da |dafür |damit |jetzt )?"
            r"(?:wenden|fragen|ansprechen|kontaktieren|anrufen)\b",
            r"\bgibt es (?:\w+ )?(?:tools?|software|apps?|programme?|anbieter|dienstleister|firmen|plugins?|lösungen)"
            r"(?:,? (?:die|mit denen|womit|für die)\b|\s*\?)",
            # "Wix, Jimdo oder WordPress – was ist für Laien am einfachsten?" (not "Was ist am besten an Stuttgart?")
            r"\bwas (?:ist|wäre) (?:(?:für|bei) (?:\w+ ){1,2})?(?:da |denn |hier |dafür )?am (?:einfachsten|besten|günstigsten|"
            r"sinnvollsten|zuverlässigsten|praktischsten)\b(?! an\b)",
            # "… oder brauchen wir eine spezielle Software?" (not a bare "Brauche ich eine App?")
            r"\bbrauchen? (?:ich|wir) (?:dafür |dann |jetzt |wirklich |überhaupt )?(?:eine?n?|ein) (?:spezielle[nrs]?|eigene[nrs]?|"
            r"professionelle[nrs]?|extra) (?:\w+ )?(?:software|programm|tool|app|lösung|system|server|beratung)\b",
            r"\bmacht (?:das|es|sowas) (?:\w+ ){0,2}(?:überhaupt |noch |wirklich )?sinn\b",
            # "Macht Lexware trotzdem Sinn?", "Macht ein NAS für uns Sinn?" (a thing to get; not "Macht das alles
            # noch Sinn?")
            r"\bmacht (?:ein |eine |einen )?[\w-]+ (?:für (?:uns|mich) |da |dann |hier )?(?:trotzdem|überhaupt|noch|dann|"
            r"eigentlich|für (?:uns|mich)) sinn\b",
            r"\bmacht (?:ein|eine|einen) [\w-]+ (?:\w+ ){0,2}?sinn\b",
            # "Womit arbeitet ihr so?", "Was nutzt ihr dafür?" (a firm asks peers for their tools; not a
            # poll of favourites: "Was nutzt ihr am liebsten?")
            r"\b(?:womit|mit was) (?:arbeitet|arbeiten|macht|machen) ihr\b(?! am liebsten)",
            # "… suchen eine neue Praxissoftware. Womit seid ihr zufrieden?"
            r"\b(?:womit|mit was|mit welche[mrn]? \w+) (?:seid|wart) ihr (?:\w+ )?zufrieden\b",
            r"\bwas (?:nutzt|verwendet|benutzt|nehmt) ihr (?:so |denn |eigentlich )?(?:dafür|für|zum|zur|als|so\s*\?|\?)",
            r"\bwelche[nrs]? (?:\w+ )?\w*(?:firma|anbieter|versicherung|bank|werkstatt|software|app|programm|agentur|kanzlei|"
            r"praxis|arzt|ärztin|handwerker|hausverwaltung|berater|beraterin|hoster|tarif|laden|shop)s? "
            r"(?:habt|nutzt|verwendet|hattet|benutzt|könnt|würdet) ihr\b",
            r"\bwelche[nrs]? (?:\w+ )?\w*(?:firma|anbieter|versicherung|bank|werkstatt|agentur|kanzlei|praxis|arzt|ärztin|"
            r"handwerker|hausverwaltung|berater|hoster)s? (?:war|ist|waren|sind) (?:bei |für )?(?:euch|dich)\b",
            # a thing and a price asked: "Welches Handy bis 400 Euro?", "Laptop unter 800 €?"
            r"^\W*(?:welche[rsn]? |ein(?:en|e)? |gute[rsn]? )?(?:[\w-]+ ){0,2}?" + _GOODS_DE + r" (?:bis|unter|für|um|zum|fürs|bis zu|"
            r"max\.?|maximal|ca\.?) (?:max\.? |ca\.? )?[$€£]?\s?\d[\d.,]*\s?(?:€|eur|euro|k)?\b[^?]{0,20}\?",
            # "Wofür habt ihr euch am Ende entschieden?", "Was habt ihr genommen?" (peers' choice)
            r"\b(?:wofür|für was|für welche[nrs]?(?: \w+)?) (?:habt ihr|hast du) euch (?:\w+ ){0,2}?entschieden\b",
            r"\bwas habt ihr (?:am ende |letztlich |dann )?(?:genommen|gekauft|gewählt)\b",
            # "Kann mir jemand einen guten Fliesenleger in Esslingen nennen?" (not "Kann man das so nennen?")
            r"\b(?:kann|könnte|könnt) (?:mir|uns) (?:hier )?(?:jemand|wer|einer|irgendwer|jmd|ihr) (?:\w+ ){1,6}?(?:nennen|vermitteln)\b",
            # "Welche ERP-Systeme kommen für uns in Frage?" (for the asker: not "Welche Filme kommen heute in Frage?")
            r"\bwelche[nrs]? (?:[\w-]+ ){0,2}(?:kommen|kommt|käme|kämen) (?:da |hier |überhaupt )?(?:für (?:uns|mich|einen \w+|eine \w+) )"
            r"(?:da |hier |überhaupt )?(?:in frage|infrage)\b",
        ],
        "where": [
            # "Gibt es einen Händler in der Region Stuttgart?" (a shop or trade; not "Gibt es hier noch Leute, …?")
            # ("eine gute Werkstatt" is the recommendation form's)
            r"\bgibt es (?:(?:hier|da|noch|irgendwo|bei euch|in der nähe|in (?:der |dem |den )?[\w-]+) ){0,3}(?:eine?n?|irgendeine?n?) (?!(?:gute|zuverlässige|empfehlenswerte|günstige|"
            r"seriöse)[nrs]? )(?:\w+ )?\w*(?:händler|laden|shop|geschäft|lieferanten|"
            r"großhandel|werkstatt|fachbetrieb|fachgeschäft|baumarkt|anbieter|dienstleister)\b",
            r"\bwo(?:her)? (?:kann|könnte) (?:ich|man)\b" + _GAP % 50
            + r"\b(?:kaufen|bekommen|finden|bestellen|kriegen|reparieren|machen lassen)\b",
            r"\bwo(?:her)? (?:genau |am besten |hier )?(?:bekomme|kriege|krieg|finde|kaufe|bestelle) ich\b",
            # "Möchte mir ein Gravelbike kaufen, wo werde ich gut beraten?"
            r"\bwo (?:werde ich|wird man|wurdet ihr) (?:hier )?(?:gut|am besten|kompetent|ehrlich|fair) beraten\b",
            # "Wer repariert Waschmaschinen?", "Wer verlegt hier Parkett?" (a trade's work named; not the outraged "Wer
            # macht denn sowas?" nor "Wer baut eigentlich …?")
            r"^\W*wer (?:repariert|verkauft|installiert|verlegt|streicht|reinigt|wartet|vermietet|verleiht|tapeziert|fliest|"
            r"entsorgt|transportiert|übersetzt|näht|ändert|schleift|montiert|lackiert)(?: hier| in \w+| in der nähe| günstig)? "
            r"(?!(?:denn|sowas|so|das|eigentlich|da|die|der)\b)\w[\w-]*",
            # "Hausarzt nimmt neue Patienten?", "Welche Praxis nimmt noch neue Patienten?" (the verb first: a form
            # that starts with a literal word is tried only where that word occurs, word_start_keys)
            r"\b(?:nimmt|nehmen) (?:noch |aktuell |gerade |überhaupt )?neue patienten\b",
            r"\bwo(?:her)? (?:genau |am besten |hier )?(?:bekommt|kriegt|findet|kauft|bestellt) man\b",
            r"\bwo (?:gibt es|gibts|gibt's) (?:in|hier|im|am|eine[nm]?|ein|gute[nmrs]?|günstige[nmrs]?)\b(?!.*\bdenn\b)",
            # the verb last in a clause: "weiß jemand, wo ich hier Fliesen kaufen kann?"
            r"\bwo(?:her)? (?:ich|man|wir)\b" + _GAP % 50 + r"\b(?:kaufen|bekommen|finden|bestellen|kriegen)\s+(?:kann|könnte|können)\b",
            # "Wo lasst ihr eure Reifen wechseln?", "Wo gibt es die beste Pizza in Stuttgart?"
            r"\bwo (?:lasst|lässt|kauft|bestellt|holt|bekommt) ihr\b",
            r"\bwo (?:gibt es|gibts|gibt's|bekommt man|findet man) (?:die|den|das) beste[nr]?\b",
            # "Gibt es hier einen Laden, der amerikanische Erdnussbutter verkauft?"
            r"\bgibt es (?:hier |in \w+ |in der nähe )?(?:einen|eine|irgendeinen) (?:laden|shop|geschäft|markt|händler|stelle|ort)\b"
            r"[^?]{0,40}\b(?:verkauft|anbietet|hat|führt)\b",
        ],
        "best": [r"\bwas (?:ist|sind) (?:der|die|das) beste[n]?\b" + _GAP % 50 + r"\bfür\b"],
        "comparison": [r"\bwas (?:ist|wäre) besser\b", r"\bwelche[rs]? (?:ist|wäre) besser\b",
                       # "Vodafone Kabel oder Telekom DSL? Welcher ist in der Gegend zuverlässiger?"
                       r"\bwelche[rs]? (?:von (?:beiden|den beiden) )?(?:ist|wäre) (?:\w+ ){0,3}?(?:zuverlässiger|günstiger|"
                       r"schneller|stabiler|sicherer|leiser|langlebiger|einfacher zu (?:bedienen|installieren))\b",
                       # "Lohnt sich ein E-Bike für den Arbeitsweg?" (something to buy, for a purpose: not "Lohnt
                       # sich die Wiederholung anzusehen?")
                       r"\blohnt sich (?:ein|eine|einen) (?:\w+ ){0,2}?[\w-]+ (?:für|bei|im|in)\b",
                       # "Die Therme ist 20 Jahre alt. Jetzt tauschen oder warten, bis sie kaputt ist?"
                       r"\b(?:tauschen|austauschen|ersetzen|kaufen|wechseln|reparieren) oder (?:noch )?(?:warten|abwarten)\b",
                       r"\bwelche[nrs]? (?:soll|sollte|würdet ihr) (?:ich |man )?(?:nehmen|kaufen|wählen)\b",
                       # "Ist es besser, den Laptop zu reparieren oder einen neuen zu kaufen?", "… jemanden einzustellen
                       # oder das auszulagern?" (a purchase or a hire; not "Ist es besser, geliebt oder gefürchtet zu sein?")
                       r"\bist es (?:besser|sinnvoller|günstiger|klüger)\b[^?]{0,80}\b(?:zu kaufen|zu mieten|zu leasen|"
                       r"zu reparieren|zu ersetzen|zu tauschen|zu wechseln|zu beauftragen|einzustellen|auszulagern|"
                       r"machen zu lassen|selbst zu machen)\b[^?]{0,60}\boder\b|\bist es (?:besser|sinnvoller|günstiger|klüger)"
                       r"\b[^?]{0,80}\boder\b[^?]{0,60}\b(?:zu kaufen|zu mieten|zu leasen|zu reparieren|zu ersetzen|zu tauschen|"
                       r"zu wechseln|zu beauftragen|einzustellen|auszulagern|machen zu lassen|selbst zu machen)\b",
                       # "Reparieren oder gleich neu?"
                       # "Reparatur oder neuer Akku?"
                       r"\b(?:reparieren|reparatur) oder (?:gleich |lieber |ein |eine |einen )?(?:neu|ersetzen|austauschen|"
                       r"neukauf|neu kaufen|neue[rsnm]? (?:[\w-]+-)?(?:akku|gerät|teil|modell|laptop|notebook|handy|rechner|pc|"
                       r"drucker|fernseher|monitor|auto|fahrrad|rad|waschmaschine|spülmaschine|kühlschrank|heizung|therme|"
                       r"trockner|display|bildschirm))\b",
                       # "Lexoffice, sevDesk oder was ganz anderes?"
                       r"(?:\boder|,) (?:was|etwas) (?:ganz )?anderes\s*\?",
                       # "1.500 Euro Abmahnung. Zahlen oder Anwalt?"
                       r"\boder (?:zum |einen |eine |nen )?" + _PRO_DE + r"\s*\?"],
        "provider": [# "Die Werkstatt will 680 Euro. Ist dieser Preis normal?", "Ist das ein fairer Preis?"
                     # (one quote, not a news poll's "Sind die Preise angemessen?")
                     r"\bist (?:dieser|der|das|dies) (?:preis|angebot|kostenvoranschlag|stundensatz) (?:so )?"
                     r"(?:noch )?(?:normal|ok|okay|angemessen|fair|realistisch|gerechtfertigt|zu hoch|überteuert)\b",
                     r"\bist (?:das|dies) ein (?:fairer|guter|normaler|angemessener) (?:preis|deal)\b",
                     # "Hat jemand noch einen Gutschein übrig?", "… ein Bahn-Coupon abzugeben?" (2 of 2 requests)
                     r"\bhat (?:hier )?(?:jemand|wer|einer|irgendwer) (?:[\w-]+ ){0,5}(?:übrig|abzugeben|zu verkaufen|zu verschenken)\b",
                     r"\b(?:kennt|weiß) (?:hier )?(?:jemand|ihr|wer)\b" + _GAP % 30
                     + r"\b(?:jemanden|eine firma|einen laden|einen shop|eine werkstatt|einen handwerker|einen anbieter)\b",
                     r"\b(?:bietet|verkauft|repariert|vermietet) (?:hier )?(?:jemand|wer|irgendwer)\b",
                     # whether a professional is needed, what one charges: "Brauche ich einen Steuerberater
                     # oder reicht eine Software?", "Was nimmt ein Installateur dafür?" (no labelled post asks so)
                     r"\b(?:brauche[n]? (?:ich|wir)|braucht man) (?:[\w-]+ ){0,3}(?:einen|eine|ein) " + _PRO_DE + r"\b",
                     r"\bwas (?:kostet|nimmt|verlangt|berechnet) (?:so )?(?:ein|eine|der|die) (?:\w+ )?" + _PRO_DE + r"\b",
                     r"\bwas kostet (?:es|das) (?:\w+ ){0,6}(?:machen|reparieren|erledigen|installieren|einbauen|austauschen|"
                     r"tauschen|streichen|fliesen) (?:zu )?lassen\b",
                     # "Mit welchen Kosten muss man rechnen?", "Wen ruft man da an?", "An wen wende ich mich?"
                     # (labelled posts: 1 of 1 requests)
                     r"\bmit welchen kosten\b[^?]{0,60}\brechnen\b",
                     # "Muss da ein Dachdecker ran oder kann ich das selbst abdichten?"
                     r"\b(?:muss|müsste|sollte) (?:da|das|dafür|hier|damit)? ?(?:ein|eine|der|die|nicht ein|nicht eine) (?:\w+ )?"
                     + _PRO_DE + r"\b",
                     # "Was kostet ungefähr eine einfache Webseite, wenn man sie machen lässt?"
                     r"\bwas (?:kostet|kosten) (?:ungefähr |etwa |so |denn )*(?:ein|eine|einen|der|die|das)\b[^?]{0,60}"
                     r"\b(?:machen|erstellen|bauen|reparieren|installieren|einbauen|austauschen) (?:zu )?(?:lassen|lässt)\b",
                     # "Wie kann man die Nebenkostenabrechnung prüfen lassen?"
                     r"\bwie (?:kann|könnte|sollte) (?:man|ich|wir)\b[^?]{0,40}\b(?:prüfen|machen|reparieren|erstellen|installieren|"
                     r"einbauen) lassen\b",
                     # "Wie findet man einen seriösen Dachdecker?"
                     r"\bwie (?:findet man|finde ich|finden wir) (?:hier |in \w+ )?(?:einen|eine|ein) (?:\w+ )?(?:seriöse[nrs]?|"
                     r"gute[nrs]?|zuverlässige[nrs]?|günstige[nrs]?|vernünftige[nrs]?|bezahlbare[nrs]?)\b",
                     # "Gibt es in Stuttgart jemanden, der alte Videokassetten digitalisiert?", "Wie teuer ist
                     # ungefähr ein neuer Zahnriemen?"
                     r"\bgibt es (?:hier |in \w+ |in der nähe )?(?:jemanden|wen)\b,? (?:der|die)\b",
                     r"\bwie teuer (?:ist|wäre|wird) (?:ungefähr |etwa |so )?(?:ein|eine|der|die|das)\b",
                     # "Macht sowas jemand hier aus der Region?"
                     r"\b(?:macht|machen|bietet|kann) (?:sowas|so etwas|so was|das) (?:hier )?(?:jemand|wer|einer|irgendwer)\b",
                     r"\bwen (?:ruft|fragt|kontaktiert) man\b",
                     # "Wer kann uns da beraten?"
                     r"\bwer (?:kann|könnte) (?:mich|uns) (?:da |dabei |hier |dazu )?(?:beraten|unterstützen)\b",
                     r"\ban wen (?:wende|wendet|kann) (?:ich|man|wir)\b"],
        "experience": [
            # experiences *with* something ("Hat jemand Erfahrung mit lexoffice?"), not "Hat jemand
            # Erfahrungen, ob die Stadt hier aufgegeben hat?" (a civic question in the city forum)
            r"\b(?:hat|habt|hatte) (?:hier )?(?:schon )?(?:jemand|ihr|wer)\b" + _GAP % 50
            + r"\berfahrung(?:en)? (?:gemacht )?(?:mit|bei|beim|zu|zum|zur|in|im|an)\b",
            r"\b(?:eure|deine) erfahrungen (?:mit|zu)\b",
            # "Was haltet ihr von Check24 für die Kfz-Versicherung?" (a product for a purpose, not an opinion poll)
            r"\bwas (?:haltet|hältst) (?:ihr|du) von\b[^?]{0,60}\bfür (?:die|den|das|unsere?n?|meine?n?|ein|eine|einen)\b",
            # "Hat jemand Vergleichswerte zu Kosten und Einführungsdauer?"
            r"\b(?:hat|habt|hätte|hättet) (?:hier )?(?:jemand|ihr|wer)\b" + _GAP % 30
            + r"\b(?:vergleichswerte|erfahrungswerte|richtwerte|preisvorstellungen|kostenbeispiele)\b",
            r"\bwer (?:hier )?hat (?:schon )?erfahrung(?:en)? (?:mit|bei|zu)\b",
            r"\bwelche erfahrungen habt ihr (?:mit|bei)\b",
            r"^erfahrung(?:en)? mit\b",
            # "Wie macht ihr das bei euch?", "Wie habt ihr das gelöst?" (asked of peers who solved it)
            r"\bwie (?:macht|handhabt|löst|regelt|organisiert) ihr (?:das|es)\b",
            # "Wie sichert ihr eure Daten in der Firma?" (how peers run a task)
            r"\bwie (?:sichert|verwaltet|organisiert|regelt|handhabt|dokumentiert|erfasst|managt|archiviert) ihr\b",
            r"\bwie habt ihr (?:das|es|dies)\b[^?]{0,30}\b(?:gelöst|gemacht|geregelt|umgesetzt|organisiert)\b",
        ],
        "help": [
            r"\b(?:kann|könnte|könnt|könntet) (?:mir|uns) (?:hier |da |dabei |bitte )?(?:jemand|wer|einer|irgendwer)\b"
            + _GAP % 40 + r"\b(?:helfen|weiterhelfen)\b",
            r"\bwer kann (?:mir|uns)\b" + _GAP % 40 + r"\b(?:helfen|weiterhelfen)\b",
            # the forum's shortest: "Jemand eine Idee?", "Ideen?", "Tipps?" (a sentence of its own)
            r"^\W*(?:ideen|tipps|vorschläge)\s*\?\s*$",
            # "Könnt ihr mir bitte helfen?", "Kann mir jemand sagen, wie ich das Formular ausfülle?"
            # (how/where/whether *I* or one does something, not "was da los war")
            r"\b(?:könnt|könntet) ihr (?:mir|uns) (?:\w+ ){0,3}(?:helfen|weiterhelfen)\b",
            r"\bkann (?:mir|uns) (?:hier )?(?:jemand|wer|einer|irgendwer) (?:sagen|erklären|verraten),? "
            r"(?:wie|wo|ob|wann) (?:ich|man|wir)\b",
            # "Könnte mir jemand erklären, wie die Grundsteuer berechnet wird?", "Könnt ihr mir einen Tipp
            # geben, wie …?", "Noch jemand eine Idee, bevor ich den Kundendienst rufe?"
            r"\b(?:kann|könnte|könnt) (?:mir|uns) (?:hier )?(?:jemand|wer|einer|irgendwer) erklären,? (?:wie|wo|ob|wann|was|warum|wieso)\b",
            r"\b(?:könnt|könntet|kann|könnte) (?:ihr|mir|jemand) (?:mir |uns )?(?:einen |ein paar )?(?:tipp?s?|rat|ratschlag|hinweis)\w* geben\b",
            r"^\W*(?:noch )?(?:jemand|wer|irgendwer|irgendjemand) (?:hier )?(?:eine |ne |'ne )?idee\b",
            # "Wie handele ich nun am besten weiter?", "Wie gehen wir am besten vor?"
            r"\bwie (?:\w+ ){1,2}(?:ich|wir) (?:\w+ ){0,3}am besten\b",
        ],
        # first-person "how do I get/fix …?", "what can I do?": asks how to solve a problem of one's own
        # (labelled posts: German 11 of 12 are requests, English 70 of 73; "wie kann ich/man" alone is
        # mostly rhetorical in German tweets: "Wie kann man Merkel anzeigen?", 2 of 7)
        "support": [
            # a customer's rights with a contract or a purchase: "Kann ich die Heizkostenabrechnung
            # anfechten?", "Kann man das Ticket umtauschen?" (2 of 2 labelled posts); "Wie finde ich heraus,
            # welcher Router passt?"
            r"\b(?:kann|darf) (?:ich|man|wir) (?:\w+ ){0,4}(?:anfechten|widersprechen|reklamieren|zurückgeben|umtauschen|kündigen|"
            r"stornieren|zurückfordern)\b",
            r"\bwie finde (?:ich|man) heraus\b",
            # "Ich will mich als Fotograf selbstständig machen. Was muss ich beachten?", "Kann mir jemand
            # sagen, ob sich ein Wechsel lohnt?"
            r"\bwas (?:muss|sollte|müsste) (?:ich|man|wir) (?:dabei |da |alles |denn )*(?:beachten|bedenken|wissen)\b",
            r"\bkann (?:mir|uns) (?:jemand|wer|einer) sagen,? ob\b",
            r"\bwie (?:bekomme|kriege|krieg|komme) ich\b",
            r"\bwie (?:bekommt|kriegt) man\b",
            r"\bwie (?:kann|könnte|soll) ich (?:[\w.-]+ ){0,7}(?:beheben|lösen|reparieren|entfernen|loswerden|stornieren|"
            r"umbuchen|ändern|einstellen|zurücksetzen|wiederherstellen|installieren|einrichten|verbinden|buchen|bestellen|"
            r"kündigen|beantragen|umtauschen|reklamieren)\b",
            r"\bwas (?:kann|soll|muss|könnte) ich (?:(?:jetzt|nun|da|denn|dagegen|noch|sonst|dann|hier) ){0,2}"
            r"(?:tun|machen|unternehmen)\b",
            r"\bwas tun\s*\?",
            # "Was tun bei Schimmel im Bad?", "Was tun gegen Mäuse im Keller?"
            r"^\W*was (?:tun|machen|kann man tun|kann man machen) (?:bei|gegen|wenn)\b[^?]{0,40}",
            # "Seit drei Wochen kein Internet … Was kann man da machen?"
            r"\bwas (?:kann|könnte|sollte) man (?:(?:da|dagegen|jetzt|nun|denn|hier|noch) ){0,2}(?:tun|machen|unternehmen)\b",
            # a customer's question what a product or service allows: "Ist es möglich, die Zugbindung
            # aufzuheben?", "Kann man das Ticket umtauschen?", "Kann ich die Fahrtkosten absetzen?",
            # "Gibt es eine Möglichkeit, …?" (labelled posts: 5 of 5 requests; not "Kann man Merkel anzeigen?")
            r"\b(?:ist|wäre) es (?:denn |auch |irgendwie |überhaupt )?möglich\b",
            r"\bkann (?:ich|man) (?:[\w.-]+ ){0,7}(?:buchen|bestellen|kündigen|umtauschen|stornieren|nutzen|benutzen|"
            r"verwenden|absetzen|bezahlen|zurückgeben|reservieren|einlösen)\b",
            r"\bgibt es (?:eine|einen|ein|irgendeine|irgendwelche|noch eine) (?:möglichkeit|info|infos|information(?:en)?|lösung|"
            r"chance)\b",
            # "Ist die BahnCard noch gültig?", "Wer kann mir nähere Infos darüber geben?" (3 of 3)
            r"\b(?:noch|auch|überhaupt|weiterhin) gültig\b",
            r"\bwer kann (?:mir|uns) (?:\w+ ){0,4}(?:infos?|informationen|auskunft)\b",
            # the forum's usual ways to ask about a problem of one's own: "Woran kann das liegen?",
            # "Weiß jemand, wie ich das wegbekomme?", "Kennt sich hier jemand mit Makros aus?"
            # (the labelled German posts hold none of them asked: written from the forum custom;
            # "Woran liegt es, dass die Bahn …?" is a complaint and not matched)
            r"\bworan (?:kann|könnte|kanns|könnt) (?:das|es|dies) (?:\w+ )?liegen\b",
            r"\bweiß (?:hier )?(?:jemand|wer|einer|irgendwer|jmd)\b[^?]{0,40}\b(?:wie|wo) (?:ich|man|wir)\b",
            r"\bweiß (?:hier )?(?:jemand|wer|einer|irgendwer|jmd)\b[^?]{0,10}\bob (?:es|man|ich|wir)\b",
            r"\bkennt sich (?:hier |da |damit )?(?:jemand|wer|einer|irgendwer|jmd)\b[^?]{0,50}\baus\b",
            # "Wer hat Ahnung von Netzwerken?", "Hat hier jemand Ahnung von Steuerrecht?"
            r"\bwer (?:hier )?hat (?:\w+ )?ahnung (?:von|mit|bei)\b",
            # a tax or data-protection question a consultant answers: "Kann man die Kosten für den Laptop
            # absetzen, …?", "Ist das überhaupt DSGVO-konform?"
            r"\b(?:kann|darf|muss) (?:man|ich|wir) (?:\w+ ){0,8}?(?:(?:von der steuer |steuerlich )?absetzen|steuerlich geltend machen|"
            r"abschreiben)\b",
            r"\bist (?:das|es|sowas|dies) (?:so )?(?:überhaupt |eigentlich |denn |noch )?(?:dsgvo|datenschutz)[ -]?(?:konform|gerecht|"
            r"sicher|erlaubt)\b",
            r"\bhat (?:hier )?(?:jemand|wer|einer|irgendwer|jmd) (?:hier )?(?:\w+ )?ahnung (?:von|mit|bei)\b",
            # "Würdet ihr das machen oder in die Cloud gehen?", "Kann das bis zur Wartung warten?"
            r"\bwürdet ihr (?:das|es|sowas) (?:so )?(?:machen|tun|kaufen|nehmen|reparieren lassen|machen lassen)\b",
            r"\bkann (?:das|es|man das) (?:noch )?(?:\w+ ){0,4}?warten\b",
            r"\bgibt es (?:hier )?(?:jemanden|wen|leute)\b[^?]{0,30}\b(?:der|die) sich\b[^?]{0,50}\bauskenn",
            # a customer's own problem and the step to take: "Wie werde ich den Schimmel los?", "Welche
            # Möglichkeiten habe ich?", "Soll ich nochmal in die Werkstatt?" (no labelled post asks so;
            # not "Wie soll ich das ernst nehmen?" or "Soll ich jetzt lachen?")
            r"\bwie werde (?:ich|wir)\b[^?]{0,40}\blos\b",
            # "Wie würdet ihr vorgehen?", "Was würdet ihr an meiner Stelle tun?", "Bin ich verpflichtet, …?"
            r"\bwie würdet ihr (?:\w+ ){0,3}(?:vorgehen|entscheiden)\b",
            r"\bwas würdet ihr (?:an meiner stelle |in meiner situation |an unserer stelle )(?:tun|machen)\b",
            r"\b(?:bin ich|sind wir|ist man) (?:\w+ )?verpflichtet\b",
            # "Ist es normal, dass der Vermieter 200 Euro für die Endreinigung verlangt?"
            r"\bist (?:es|das) (?:normal|üblich),? (?:dass|wenn)\b[^?]{0,60}\b(?:verlangt|kostet|zahlen|bezahlen|euro|€|\d)",
            # the computer-help forum's asks (labelled posts: 1 of 1 each; "Was nun?" 2 of 2): "Wer kann mir
            # sagen, wie ich diesen Trojaner lösche?", "… was macht man da?", "Habt ihr einen
            # Lösungsvorschlag?", "Kennt jemand das Problem?" (not "Hat jemand eine Idee?" alone: the city
            # forum's curiosity and civic questions, 2 of 3 not requests)
            r"\bwer kann (?:mir|uns) (?:sagen|erklären|verraten),? (?:wie|wo|ob|was) \w+",
            r"\bwas macht man (?:da|dagegen|in so einem fall|jetzt)\b",
            r"^\W*(?:und )?was nun\s*\?",
            r"\b(?:habt ihr|hat jemand|hättet ihr) (?:\w+ ){0,3}(?:eine |einen |ne )?(?:lösung|lösungsvorschlag|lösungsansatz)\b",
            r"\bkennt (?:jemand|ihr|wer) (?:das|dieses) problem\b",
            # "Wo fange ich am besten an?"
            r"\bwo (?:fange|fängt) (?:ich|man|wir) (?:da )?(?:am besten )?an\b",
            # "Zahlt da die Hausratversicherung?"
            r"\b(?:zahlt|übernimmt|greift|deckt) (?:da |das |hier )?(?:die|meine|unsere|eine) \w*versicherung\b",
            r"\bwelche (?:möglichkeiten|optionen) (?:habe|hab|hätte|haben) (?:ich|wir)\b",
            r"\b(?:soll|sollte|sollten|sollen) (?:ich|wir) (?:\w+ ){0,3}(?:in die werkstatt|zum (?:arzt|anwalt|steuerberater|händler|"
            r"hersteller|fachmann|profi)|zur (?:werkstatt|verbraucherzentrale|schlichtungsstelle))\b",
        ],
    },
    "en": {
        "recommendation": [
            # "Cheapest way to ship 200 parcels a month from Germany?", "Best way to learn 'modern' C++?" (asked: 4 of 4
            # labelled posts; stated, it is an article's title: "The fastest way to get started with GraphQL")
            r"^\W*(?:the )?(?:cheapest|best|easiest|fastest|quickest|simplest|safest|most reliable) way to \w+",
            # "… looking to upgrade my RX 560 to something more powerful under 500$. What is the best option" (2 of
            # 2 labelled posts)
            r"\bwhat(?:'s| is| would be) the best (?:option|choice|way to go|route|approach)\b",
            # "… our current software is being discontinued. What are you happy with?"
            r"\bwhat (?:are|were) you (?:guys |all )?(?:happy|satisfied) with\b",
            # "What hardware would you get for wifi and switching?" (for a purpose: not "what superpower would
            # you choose?", "what would you use it for?")
            r"\bwhat (?:\w+ ){0,2}would you (?:get|buy|use|choose|pick|go with)\b[^?]{0,40}\bfor \w",
            # "… We have 2TB and a budget of 100 a month. What would you set up?" (the whole question: not "What
            # would you do if …?")
            r"^\W*what would you (?:set up|use|buy|get|choose|pick|go with|install|run)(?: here| instead| in (?:my|our) (?:place|shoes))?\s*\?",
            # "Has anyone made this switch recently, and what did you end up with?"
            r"\bwhat did (?:you|you guys|y'all|everyone|people) (?:end up (?:with|using|going with|choosing|buying)|go with|"
            r"switch to|settle on)\b",
            r"\b(?:can|could|would) (?:anyone|someone|you|somebody|you guys|y'all)\b" + _GAP % 60 + r"\b(?:recommend|suggest)\b",
            r"\bany (?:good )?(?:recommendations|suggestions)\b",
            r"\b(?:recommendations?|recs?) (?:for|on)\b",
            # "what's the cheapest phone plan right now?" (1 of 1 labelled posts)
            r"\bwhat(?:'s| is| are) the (?:cheapest|most reliable|best value)\b",
            # "What are some good places to eat?", "What are the hidden gems of Stuttgart?"
            r"\bwhat are (?:some|the|your)\b" + _GAP % 30 + r"\b(?:hidden gems|must-sees?|good (?:places|spots|options))\b",
            r"\bwhat (?:would|do) you (?:recommend|suggest)\b",
            # "What do you use for password management?"
            r"\bwhat (?:do|does) (?:you|everyone|everybody|people|y'all)(?: guys| all| folks| here)? use (?:for|to|as)\b",
            # "… We are still on spreadsheets. What do you guys use?"
            r"\bwhat (?:do|does) (?:you|everyone|everybody|people|y'all)(?: guys| all| folks| here)? use\s*\?",
            # "Is there a cross-platform C library for …?", "Are there any free apps to manage …?", "Is there
            # some program I can use for this?" (the softwarerecs titles: 62 more of 62; not "Is there a
            # relation between software and art?", nor a bare "Is there a solution?" to one's problem)
            r"\b(?:is|are) there (?:a|an|any|some)? ?(?:(?!between\b|of\b|with\b|and\b)[\w-]+ ){0,3}?(?:apps?|tools?|software|"
            r"services?|programs?|websites?|sites?|plugins?|add-ons?|extensions?|librar(?:y|ies)|alternatives?|replacements?|"
            r"ides?|editors?|frameworks?|platforms?|(?<!a )(?<!any )(?<!some )solutions?|utilit(?:y|ies)|apis?|"
            r"providers?)\b",
            # "What software can I use to control a Raspberry Pi from Windows?", "What's the best minimal CSS
            # framework?" (labelled posts: 14 more, 13 requests; "What are the best open source apps written
            # with React?" is not)
            r"\bwhat " + _NP_EN + r"{0,4}?" + _PRODUCT_EN + r" (?:can|could|should|would) (?:i|we|one)\b",
            r"\bwhat(?:'s| is| are) the best " + _NP_EN + r"{0,3}?" + _PRODUCT_EN + r"\b",
            # "Does a 3rd-party batch shell exist?", "Does any JMESPath linter exist at all?"
            r"\bdoes (?:a|an|any|such an?) [^?]{0,80}\bexist\b",
            # "Which Microsoft 365 license do we need?", "What's a good option for a small business?" (5
            # of 5 labelled posts), "Does a heat pump even make sense in an old house?"
            r"\bwhich (?:[\w-]+ ){0,3}(?:do|would|should) (?:i|we) need\b",
            # "What is a good free Win 11 program to write to DVD?", "What are some good libraries for …?" (13
            # more labelled posts; 1 r/AskReddit poll: "What's a good date other than dinner and a movie?")
            r"\bwhat(?:'s| is| are| would be) (?:a |an |some )?(?:good|decent|reliable|solid|cheap|inexpensive|free|simple|"
            r"lightweight|easy|recommended)\b",
            r"\b(?:does|would|do) (?:it|that|this|(?:an? )?(?:[\w-]+ ){0,2}[\w-]+) (?:even |really |still )?make sense\b",
            # "Which laptop makes sense for around $1000?", "Is there a good repair shop around here?" (not
            # "Which Star Wars movie is the best?")
            r"\bwhich (?:[\w-]+ ){1,2}(?:makes (?:the most )?sense|is (?:the )?best|would be (?:the )?best) (?:for|with|under|around)\b",
            r"\bis there (?:a|an|any) (?:good|reliable|decent|cheap|affordable|trustworthy) (?:[\w-]+ ){0,2}(?:shop|store|place|"
            r"mechanic|dentist|doctor|vet|restaurant|lawyer|plumber|electrician|contractor|garage|salon|barber|gym|school|course)s?\b",
            r"\bwhich (?:\w+ )?(?:company|companies|provider|service|shop|mechanic|plumber|dentist|doctor|agency|contractor)s? "
            r"(?:was|were|is|has been) \w+ (?:for|with) you\b",
            # "Best broadband provider in Manchester?", "Good programmable robot kit for teens?" (8 of 8
            # labelled posts; not a poll about the reader: "Best moment in your life?")
            r"^\W*(?:best|cheapest|good|reliable|decent) (?![^?]*\b(?:your|you)\b)[\w -]{2,40} (?:in|near|for|around) [^?]{1,40}\?",
            # a provider and a place, asked as a title: "English-speaking GP in Stuttgart?"
            # (not a question opened by a question word or a verb: "Why is the shop in town closed?")
            r"^\W*(?![^?]*\bfavou?rite)(?!(?:why|what|who|when|how|where|is|are|was|were|did|does|do|has|have|can|could|would|will|should)\b)"
            r"(?:[\w-]+ ){0,3}" + _LOCAL_EN + r" (?:in|near|around) [\w -]{2,30}\?",
            # "Kita with English speaking staff?", "Dentist who speaks English?", "Gym that offers a sauna?" ("Any
            # doctors who …?" is the provider form's)
            r"^\W*(?![^?]*\b(?:favou?rite|worst)\b)(?!(?:why|what|who|when|how|where|is|are|was|were|did|does|do|has|have|can|"
            r"could|would|will|should|any)\b)(?:a )?(?:[\w-]+ ){0,2}" + _LOCAL_EN + r" (?:with|that (?:has|have|offers?|speaks?|"
            r"takes|accepts?)|who (?:speaks?|takes|accepts?)) [^?]{2,40}\?",
            # a thing and a price asked: "Phone under 400 euros?", "Best laptop for 800 dollars?"
            r"^\W*(?:which |a |good |best |decent )?(?:[\w-]+ ){0,2}?" + _GOODS_EN + r" (?:under|below|for under|around|up to|"
            r"for|at) [$€£]?\s?\d[\d.,]*\s?(?:€|eur|euros?|\$|dollars?|bucks|k)?\b[^?]{0,20}\?",
            # "Want to switch from Mailchimp. What are people using these days?"
            r"\bwhat (?:are|do) (?:people|you all|you guys|folks|others|y'all) (?:using|use)\b",
            # "Anyone recommend a decent solicitor for a boundary dispute?", "Which energy supplier are you all with?"
            r"^\W*(?:does )?(?:anyone|anybody|someone) (?:here )?(?:recommend|suggest)\b",
            r"\bwhich (?:[\w-]+ ){0,2}(?:supplier|provider|bank|insurer|company|isp|carrier|network)s? (?:are|is) (?:you|you all|"
            r"you guys|y'all|everyone) (?:with|using)\b",
            # "Which POS system is reliable and not too expensive?", "Which video editing software would fit
            # …?" (labelled posts: 11 more, all requests; not the poll "Which software do you need but …?")
            r"\bwhich (?:[\w-]+ ){0,2}?(?:system|software|app|tool|platform|crm|erp|pos|vpn|host|hosting|plan|tariff|laptop|"
            r"printer|router|nas|backup|service|library|framework|editor|ide|distro|phone|monitor|gpu|cpu|motherboard|psu|"
            r"case|drive|ssd)s? (?:is|are|would|should|works?|has|have|can|supports?|integrates?)\b",
            # "Which password manager do you use as a family?" (1 of 1)
            r"\bwhich (?:[\w-]+ ){1,2}do (?:you|you guys|y'all|people) use\b",
            # "Where's a nice place for brunch?", "Who does good alterations around here?", "Which vet has an
            # emergency service today?"
            r"\bwhere(?:'s| is) (?:a|an|the) (?:good|nice|great|decent|cheap) (?:place|spot|restaurant|bar|cafe)\b",
            r"\bwho (?:does|do|repairs|fixes|sells|makes|offers|installs) (?:good|decent|reliable|cheap|affordable|the best)\b",
            r"\bwhich (?:\w+ )?" + _LOCAL_EN + r" (?:in \w+ |around here |nearby |near \w+ )?(?:knows|can|does|has|is open|"
            r"takes|offers|repairs)\b",
            # "What POS system would you go with?" (a product or service named; not "What superpower would you choose?")
            r"\bwhat (?:[\w-]+ ){0,2}(?:system|software|tool|app|service|provider|brand|model|laptop|printer|router|phone|crm|erp|"
            r"platform|host|hosting|bank|insurance|plan|vendor)s? would you (?:go with|choose|pick|use|recommend|get|buy)\b",
            # "Which moving company did you use?", "Which ISP would you recommend?" (a provider or product
            # named; not "Which software do you need but which doesn't exist yet?")
            r"\bwhich (?:\w+ )?\w*(?:company|provider|service|app|tool|software|shop|store|brand|mechanic|plumber|lawyer|accountant|"
            r"bank|insurance|isp|vendor|agency|firm|host|hosting|carrier|plan)\b[^?]{0,30}\b(?:do|did|would|should) "
            r"(?:you|you guys|y'all|people|i)\b(?: \w+)? (?:use|recommend|go with|choose|pick|trust|suggest|have)\b",
        ],
        "best": [r"\bwhat(?:'s| is| are) the best\b" + _GAP % 50 + r"\bfor\b"],
        "comparison": [r"\bwhich (?:is|one is|would be|one would be) (?:a |the )?better\b",
                       # "Vodafone cable or Telekom DSL? Which one is more reliable in the area?"
                       # ("one" or "of the two" named: not an article's "Node.js vs. Java: Which Is Faster for APIs?")
                       r"\bwhich (?:one |of (?:the|these|them|those) (?:two )?)(?:is|would be|will be) (?:the )?(?:more reliable|"
                       r"cheaper|faster|more stable|safer|quieter|more durable|less hassle|easier to (?:use|set up|maintain))\b",
                       # "Water heater is 14 years old. Replace now or wait until it dies?"
                       r"\b(?:replace|upgrade|buy|switch|fix|repair) (?:it |now |them |this )?or (?:wait|keep|hold off)\b",
                       # "Thoughts on Fidelity vs Vanguard for a Roth IRA?" (2 of 2)
                       r"^\W*(?:any )?thoughts on\b[^?]{0,60}\b(?:vs\.?|versus|or)\b",
                       r"\bwhich (?:one )?should (?:i|we) (?:choose|pick|buy|use|go with|get)\b",
                       # "Is it better to hire a new one or outsource to a firm?" (a purchase or a hire; not "Is it
                       # better to be loved or feared?")
                       r"\bis it (?:better|cheaper|smarter|wiser) to (?:hire|outsource|buy|rent|lease|repair|fix|replace|switch|"
                       r"use|get|pay|go with|upgrade|keep|build|do it|diy|contract)\b[^?]{0,80}\bor\b",
                       # "Is it worth repairing or should I replace it?"
                       r"\bis it worth (?:repairing|fixing|replacing)\b",
                       r"^\W*(?:is it )?worth (?:switching|upgrading|buying|getting|paying)\b",
                       r"\b(?:repair|fix|repairing|fixing) (?:it |this )?or (?:replace|replacing|buy a new|buy new|get a new|"
                       r"(?:a )?new (?:one|battery|laptop|phone|pc|tv|car|bike|e-bike|part|unit|device|printer|monitor|screen|"
                       r"boiler|furnace|fridge|washer|dryer|dishwasher|water heater))\b",
                       # "QuickBooks or Xero or something else?" (1 of 1)
                       r"(?:\bor|,) something else\s*\?",
                       # "… demanding $1,500. Pay or get a lawyer?"
                       r"\bor (?:get|hire|call|see|ask) (?:a|an) " + _PRO_EN + r"\s*\?"],
        "provider": [r"\b(?:does|do|is there) (?:anybody|anyone|someone|somebody) (?:here )?(?:offer|sell|provide|rent|repair|fix)s?\b",
                     # "I have 10 years no-claims in the UK. Which German insurers accept that?" (not a poll's "Which
                     # banks offer the worst service?")
                     r"\bwhich (?:\w+ ){0,2}(?:insurers?|insurance (?:companies|providers)|banks?|providers?|carriers?|hosts?|isps?|"
                     r"vendors?|shops?|stores?|clinics?|doctors?|dentists?|gyms?|schools?) (?:accept|offer|cover|take|support|ship|"
                     r"deliver)s?\b(?! the (?:worst|most)\b)",
                     # "Which distributors do you work with in the UK?"
                     r"\bwhich (?:\w+ )?(?:distributors?|suppliers?|vendors?|wholesalers?|providers?|agencies|agency|accountants?|"
                     r"lawyers?|banks?|hosts?|msps?|isps?|carriers?|couriers?|printers?|manufacturers?) (?:do|did|would) you "
                     r"(?:guys )?(?:use|work with|recommend|go with|buy from|order from)\b",
                     # "Our site got hacked. Who can clean this up quickly?" (not "Who can fix the economy?")
                     r"\bwho (?:can|could) (?:clean|fix|repair|set up|install|handle|take care of|look at|check|recover) "
                     r"(?:this|it|that|my|our)\b",
                     # "Who should we talk to?", "Who do I call about this?"
                     r"\bwho (?:should|do|can|could) (?:i|we) (?:even )?(?:talk to|ask|call|contact|go to|turn to|hire)\b",
                     # "Any electricians in Leeds who do EV charger installs?"
                     r"^\W*any (?:good |recommended |reliable |local |decent )?(?:[\w-]+ )?" + _PRO_EN
                     + r" (?:in|near|around|who|that)\b",
                     # "How do you vet an MSP?", "How do I evaluate a recruitment agency?" (1 of 1)
                     r"\bhow (?:do|did|would|should) (?:you|i|we|one) (?:vet|choose|pick|evaluate|select|compare) (?:a|an|the|your|our) "
                     r"(?:\w+ )?(?:(?:msp|vendor|supplier|contractor|agency|" + _PRODUCT_EN_WORDS + r")|" + _PRO_EN + r")",
                     # "The shop quoted $400. Is that price reasonable?", "Is that a fair price?"
                     r"\bis (?:that|this|the) (?:price|quote|estimate|rate|fee) (?:reasonable|fair|normal|ok|okay|"
                     r"too high)\b",
                     r"\bis (?:that|this|\$\d[\d,.]*) (?:a )?(?:reasonable|fair|normal|good|decent) (?:price|quote|deal|rate)\b",
                     r"\b(?:does|do) (?:anybody|anyone|you) know (?:a|an|of a|of an|any) (?:good |reliable |decent )?"
                     r"(?:company|shop|store|service|provider|vendor|contractor|agency|consultant|freelancer|mechanic|plumber|lawyer|accountant)\b",
                     # whether a professional is needed, what one charges: "Do I need an accountant or can I
                     # use software?", "What does a plumber charge for that?" (no labelled post asks so)
                     r"\bdo (?:i|we) (?:really |even |actually )?need (?:a|an|to hire an?|to see an?) (?:\w+ )?" + _PRO_EN + r"\b",
                     r"\b(?:what|how much) (?:does|do|would|will|should|might) (?:a|an) (?:\w+ )?" + _PRO_EN
                     + r" (?:usually |typically |normally )?(?:charge|cost|ask)\b",
                     # "Is there anyone in Austin who digitizes VHS tapes?", "How much is a timing belt replacement?"
                     r"\bis there (?:anyone|anybody|someone|somebody) (?:in \w+ |around here |nearby )(?:who|that)\b",
                     r"\bhow much (?:is|would|does|will) (?:a|an|the) (?:[\w-]+ ){0,3}(?:replacement|repair|installation|service|"
                     r"fix|job|inspection)\b",
                     # "What's the going rate for a cleaner?"
                     r"\bwhat(?:'s| is) the going rate\b",
                     # "What kind of budget should we expect?", "How much would it cost to redo …?", "Who do
                     # I contact?" (1 of 1)
                     r"\bwhat (?:kind of |sort of )?budget should (?:i|we)\b",
                     r"\bhow much should (?:i|we) (?:expect to )?(?:pay|budget)\b",
                     r"\bhow much (?:does|would|will|should) it cost to (?:fix|repair|replace|install|build|renovate|remodel|"
                     r"redo|get)\b",
                     # "Roughly how much does it cost to have a simple website built?"
                     r"\bhow much (?:does|do|would|will|should) (?:it|they|you) (?:usually |typically )?(?:cost|charge|pay) "
                     r"(?:\w+ )?to (?:have|get) (?:a|an|the|my|our|some)\b",
                     r"\bwho (?:do|should|would|can) (?:i|we|one|you) (?:even )?(?:call|contact)\b",
                     # "Where do you find good ones?"
                     r"\bwhere (?:do|can|would|should) (?:you|i|we|one) find (?:a |an |some )?(?:good|reliable|decent|"
                     r"trustworthy|cheap|affordable)\b",
                     # "How do you even find someone like that?", "How do you find a roofer you can trust?"
                     r"\bhow (?:do|does|would|can) (?:you|one|i|we|people) (?:even |actually )?find (?:a|an|someone|somebody|"
                     r"good|reliable|trustworthy)\b",
                     # "Who do you hire for that kind of thing?" (not the poll "Who would you hire?")
                     r"\bwho (?:do|would|should) (?:you|i|we|one) (?:even )?(?:hire|get) for (?:that|this|something like|such|these)\b"],
        "where": [
            r"\bwhere (?:can|do|should|would) (?:i|we|one) (?:buy|get|find|order|purchase|rent|hire)\b",
            # "Who sells Ubiquiti gear in Germany with proper invoices?" (not "Who sells the most cars?")
            r"^\W*(?:so,? )?who (?:sells|stocks|carries|repairs|installs|rents|services|supplies)\b(?! (?:the most|more|most)\b)",
            r"\bwhere to (?:buy|get|find|order)\b",
            # "Where can I eat good Schnitzel in Stuttgart?"
            r"\bwhere (?:can|should|would) (?:i|we|one) (?:eat|stay|go for|go to eat|go out)\b",
            # "Where do you guys go?" (for a service), "Where's the best pizza in town?" (2 of 2; not the
            # headline "Where are the best bank holiday deals?")
            r"\bwhere do (?:you|you guys|y'all|people|locals) (?:go|get|buy|shop|take)\b",
            r"\bwhere(?:'s| is| can i (?:find|get)) the best\b",
            # "Is there a place that sells American peanut butter around here?"
            r"\bis there (?:a|any) (?:place|shop|store|anywhere|somewhere) (?:that|which|where|to) (?:sells|i can|you can|one can|"
            r"buy|get)\b",
        ],
        "experience": [
            r"\b(?:has|have) (?:anyone|anybody|any of you)\b" + _GAP % 40 + r"\b(?:used|tried|experience)\b",
            r"\bany experiences? (?:with|using)\b",
            # "Does anyone have ballpark numbers on cost and rollout time?"
            r"\b(?:does|do|has|have|can) (?:anyone|anybody|someone|any of you)\b" + _GAP % 30
            + r"\b(?:ballpark|rough|real-world) (?:numbers|figures|prices|costs|estimates?)\b",
            r"\bwho (?:here )?has (?:any )?experience (?:with|using|in)\b",
            r"\bwhat(?:'s| has| have| is| are| were) (?:been )?your experiences? (?:been )?(?:with|using)\b",
            # "How do you handle IT in your small business?" (a business's practice, not "How do you manage
            # your bookmarks?", a poll), "Does anyone have the same problem and how did you fix it?" (1 of 1)
            r"\bhow do (?:you|you guys|y'all|other \w+) (?:handle|manage|deal with|organi[sz]e|do)\b[^?]{0,40}"
            r"\b(?:in|at|for) (?:your|their) (?:\w+ )?(?:business|company|office|team|firm|shop|practice|agency|startup)\b",
            r"\bhow do (?:you|you guys|y'all|other \w+) (?:\w+ ){1,3}(?:your|their) (?:company|business|office|team's|firm|"
            r"shop|practice|agency|startup)\b",
            r"\bhow did (?:you|you guys|y'all|others|anyone) (?:solve|handle|deal with|fix|get around) "
            r"(?:it|this|that|the (?:problem|issue))\b",
        ],
        "help": [r"\b(?:can|could) (?:anyone|someone|somebody)\b" + _GAP % 30 + r"\bhelp\b",
                 # a tax or compliance question a consultant answers: "Can I deduct my laptop if I also use it
                 # privately?", "Is this GDPR compliant?"
                 r"\bcan (?:i|we|you) (?:\w+ ){0,6}?(?:deduct|write off|claim (?:it|this|that|the|my|our) (?:\w+ )?"
                 r"(?:on|as) (?:my |our )?(?:taxes|a business expense|an expense))\b",
                 r"\bis (?:this|that|it|our \w+) (?:even |actually |still )?(?:gdpr|hipaa|pci|soc ?2)[ -]?(?:compliant|"
                 r"compatible|ok)\b",
                 # "Should I be worried or can it wait for the annual service?"
                 r"\bcan (?:it|this|that) wait (?:for|until|till|a)\b",
                 # "Can anyone tell me if there's a setting I need to change?" (1 of 1 labelled posts)
                 r"\b(?:can|could) (?:anyone|someone|somebody) (?:please )?(?:tell|explain to|show) me (?:how|where|if|whether|what i)\b",
                 # "Any advice?", "Any ideas what else I could try?" (26 of 26 labelled posts are requests)
                 r"\bany (?:advice|tips|ideas|help|input|pointers|insights?)\b",
                 # "Anyone have advice on what we can do?" (asked: 6 of 6 labelled posts), "Could someone explain
                 # how property tax is calculated?" (1 of 1), "Can you give me some tips on …?"
                 r"\b(?:anyone|anybody|someone|somebody) (?:here )?(?:have|has|got) (?:any |some )?(?:advice|tips|suggestions|"
                 r"ideas|recommendations)\b",
                 r"\b(?:can|could) (?:anyone|someone|somebody) (?:please )?explain (?:how|why|what|whether|if)\b",
                 r"\b(?:can|could) (?:you|anyone|someone|somebody|you guys) (?:please )?give me (?:some |any )?(?:tips|advice|"
                 r"pointers|suggestions|recommendations)\b",
                 # "… no luck. Ideas?", "Suggestions?" (a sentence of its own; 8 of 8 labelled posts)
                 r"^\W*(?:ideas|suggestions|tips|advice)\s*\?\s*$"],
        "support": [
            # "Starting a photography business next year, what do I need to know?" (a question: not the article
            # title "What Should I Know About …")
            r"\bwhat (?:do|should) (?:i|we) (?:need to )?(?:know|consider|keep in mind|watch out for|look out for|look for)\b",
            # "We got three bids … How do we compare them? What red flags should we look for?"
            r"\bwhat (?:red flags|warning signs) (?:should|do) (?:i|we)\b",
            r"\bhow (?:do|should|can) (?:i|we) (?:compare|evaluate|vet) (?:them|these|the (?:bids|quotes|offers|options))\b",
            # "At what point did you hire a bookkeeper instead of doing it yourself?"
            r"\bat what (?:point|size|stage|headcount) (?:did|do|does|should|would) (?:you|i|we|one) (?:\w+ ){0,2}?(?:hire|get|switch|move|upgrade|"
            r"bring in|outsource|buy)\b",
            # "Dropped my phone in the lake, what now?", "My auditor rejects open source. What now?" (2 of 2)
            r"(?:^|[,;:]\s*)(?:so |ok,? |okay,? )?what now\b",
            # "… I would like to transfer that to a desktop I'm going to build. Will this work?" (1 of 1)
            # (not a news summary's "Will it work? Experts doubt it.")
            r"^\W*(?:will|would|does|should) this (?:still |even )?work\s*\?",
            # "SPF is set. What am I missing?"
            r"\bwhat am i (?:missing|doing wrong|overlooking)\b",
            # "Can I cancel my gym membership early?", "Can I still get a refund?"
            r"\bcan i (?:still )?(?:\w+ ){0,3}(?:dispute|return|get a refund|get my money back|cancel|exchange)\b",
            r"\bhow (?:do|can|could|would|should) i (?:best |properly |safely )?(?:get|fix|stop|make|solve|remove|find|repair|reset|recover|"
            r"restore|turn off|disable|uninstall|change|set up|setup|install|connect|update|go about|cancel|terminate|"
            r"unsubscribe|dispute|claim|transfer|migrate)\b",
            r"\bwhat (?:can|should|do) i do\b",
            r"\bwhat do (?:i|we) (?:need|have) to do\b",
            # "… support keeps stalling. What can you even do in this situation?" (1 of 1)
            r"\bwhat can (?:you|one) (?:even |really |actually )?do (?:in this|about this|about it|here|in that)\b",
            # also "Is there an easy way …?", "Is there any legitimate way …?", "is there anyway …?"
            r"\bis there (?:(?:a|any|an) (?:\w+ )?(?:way|solution|fix|workaround)|anyway)\b",
            # "how"/"where" only: "does anyone know what happened …?" is curiosity
            r"\b(?:does|do) (?:anyone|anybody|someone|somebody|you guys) (?:here )?know (?:how|where)\b",
            # "Does anyone know a possible solution?", "Anyone know of some good solutions?" (2 of 2
            # labelled posts), not "Does anyone know a reason why …?"
            r"\b(?:anyone|anybody|someone|somebody|you guys|y'all) (?:here )?know (?:of )?(?:a|an|any|some)\b"
            r"(?! (?:reason|explanation)\b)",
            # "What could be causing this?", "Any idea how to turn it off?", "Has anyone else had this
            # problem?" (labelled posts: 4 of 4, 5 of 5, 1 of 2 requests)
            r"\bwhat (?:could|might|would|may) (?:be )?caus(?:e|ing) (?:this|that|it|the)\b",
            r"(?:^\s*|[,;:]\s*|\b(?:anyone|anybody|someone|somebody|you|y'all|guys) (?:have|has|got) )any idea "
            r"(?:what|why|how|where|on how)\b",
            r"\b(?:has|have) (?:anyone|anybody|any of you|someone)(?: else)? (?:ever )?(?:had|have|experienced|encountered|"
            r"run into|dealt with) (?:this|the same|a similar|similar)(?: \w+)? (?:problem|issue|error|bug)",
            r"\bis there (?:anyone|anybody|someone|somebody) (?:here |out there )?(?:who|that) (?:knows|can|could|has|"
            r"is good|repairs|fixes|sells|offers)\b",
            # a customer's own problem and the step to take: "What are my options?", "Should I take it
            # back to the shop?", "Should we call a plumber?" (no labelled post asks so)
            r"\bwhat are (?:my|our) (?:options|rights)\b",
            # "What would you do in my situation?" (not the poll "What would you do with $5,000,000?")
            r"\bwhat would you do in my (?:situation|position|shoes|place)\b",
            # "Is it normal for a landlord to charge £200 for a clean?" (money: not "Is it normal that …" about people)
            r"\bis (?:it|this|that) normal (?:for|that|to)\b[^?]{0,60}\b(?:charge|charging|pay|paying|cost|fee|£|\$|€|\d)",
            # "How do you get a dermatologist appointment quickly?"
            r"\bhow (?:do|can) (?:you|i|one) get (?:a|an) (?:\w+ ){0,2}(?:appointment|quote|estimate|refund|replacement)\b",
            # "Where do I start? TIA" (3 of 3 labelled posts), "Is this something I can dispute?", "…
            # insurance is ignoring my calls. Next steps?"
            r"\bwhere (?:do|should|would|can) (?:i|we) (?:even )?(?:start|begin)\b",
            r"\bis (?:this|that|it) something (?:i|we) (?:can|should|could)\b",
            r"^\W*(?:what are )?(?:my |our |the )?next steps\s*\?",
            # "Would renters insurance cover that?"
            r"\b(?:would|will|does|do) (?:my |our |the )?(?:\w+ )?insurance (?:cover|pay)\b",
            r"\bshould (?:i|we) (?:\w+ ){0,2}(?:take it (?:back )?to (?:the|a|my) \w+|(?:call|see|hire|contact|get|talk to) "
            r"(?:a|an|the|my) (?:\w+ )?" + _PRO_EN + r")\b",
        ],
    },
}
# Polite requests in statements (any sentence, no question mark needed): "If anyone can help, …",
# "I was hoping to find someone here with a van who I could pay", "Ich suche jemanden, der …",
# "Für Tipps wäre ich dankbar". Looked for only where one of ``STATEMENT_TRIGGERS`` occurs.
DIRECT_STATEMENTS: dict[str, dict[str, list[str]]] = {
    "de": {
        "provider": [r"\b(?:ich suche|wir suchen|suche|suchen) (?:hier )?jemanden\b(?!,? (?:zum|für) (?:reden|quatschen))",
                     # a firm or practice that seeks a provider: "Unsere Praxis (3 Ärzte, 10 MFA) sucht einen neuen
                     # IT-Dienstleister im Raum Stuttgart" (a job advert's "(m/w/d)" vetoes it)
                     r"\bunser(?:e|em|en)? [^.!?]{0,60}?\b(?:sucht|suchen) (?:\w+ ){0,2}?(?:einen|eine|ein|neue[nrs]?) "
                     r"(?:[\w-]+ ){0,2}?(?:\w+-)?" + _PRO_DE + r"\b",
                     # after a fronted phrase: "Für unsere Praxis suchen wir eine vernünftige Backup-Lösung" (a job
                     # advert's "Für unser Team suchen wir … (m/w/d)" is vetoed)
                     r"(?<!^)(?<![.!?\n] )\b(?:suchen wir|suche ich) (?:derzeit |aktuell |gerade |noch |dringend )?(?:eine?n?|nach "
                     r"(?:einer?m?|jemandem)) ",
                     # a quote to check: "Der Dachdecker verlangt 18.000 Euro fürs neue Dach. Ist das normal?" (not a
                     # bare "Ist das OK?" under a photo)
                     r"\b(?:angebot|kostenvoranschlag|euro|€|verlangt)[^?]{0,200}?\b(?:ist das (?:so )?(?:normal|angemessen|"
                     r"realistisch|zu viel|zu teuer|ok|üblich|fair|gerechtfertigt)|klingt das (?:realistisch|normal|fair|angemessen))\b",
                     # a bill to check: "Nebenkostenabrechnung viel zu hoch … 1200 Euro nachzahlen … Kann das stimmen?" (a
                     # bill named: not a news item's "Laut Zeitung zahlen wir 2000 Euro mehr. Kann das stimmen?")
                     r"\b(?:\w*(?:abrechnung|rechnung|nachzahlung)|nachzahlen|kostenvoranschlag|angebot)\b[^?]{0,200}?"
                     r"\b(?:kann das (?:stimmen|richtig sein)|stimmt das (?:so)?)\s*\?",
                     # "Ich such nen zuverlässigen Umzugshelfer für Samstag", "Wir suchen einen Steuerberater"
                     r"\b(?:ich|wir) (?:suche|such|suchen) (?:noch )?(?:nen|'nen|einen|eine|ne) (?:\w+ )?(?:\w*helfer(?:in)?|"
                     + _PRO_DE + r")\b",
                     # "Wir brauchen jemanden, der uns das Bad fliest."
                     r"(?:\b(?:ich|wir) |(?:^|[.!?]\s+))(?:brauche|brauchen|benötige|benötigen|bräuchte|bräuchten) (?:dringend |noch |hier )?jemanden\b"
                     r"(?!,? (?:zum|für) (?:reden|quatschen))"],
        # "Ich kann mich nicht entscheiden zwischen …", "Ich schwanke zwischen …"
        "comparison": [r"\bkann mich nicht entscheiden zwischen\b|\bschwanke zwischen\b"],
        # a buyer who cannot tell a good provider: "Ich habe keine Ahnung, woran man einen seriösen Betrieb erkennt."
        "vet": [r"\b(?:keine ahnung|weiß nicht|weiss nicht|unsicher),? (?:woran|wie) (?:man|ich) (?:\w+ ){0,4}?(?:seriös|zuverlässig|"
                r"vertrauenswürdig|gut)\w* (?:\w+ ){0,2}?(?:erkennt|erkenne|findet|finde|auswählt|auswähle)\b"],
        # a professional sought later in the body or after "und": "Ich bin seit Januar selbstständig und suche
        # einen Steuerberater, der …" (the opening forms read the title and the first sentence only; not
        # "Ich bin auf der Suche nach einem Job", "Die Polizei sucht einen Zeugen": the city forum's posts
        # seeking a job or company are labelled no request)
        "seek": [r"(?:^|[.!?]\s+|\b(?:und|aber|daher|deshalb|jetzt|nun|also) )(?:ich |wir )?(?:suche|such|suchen) "
                 r"(?:dringend |gerade |noch |aktuell |jetzt |hier )?(?:einen|eine|ein|nen|ne|'nen) (?:[\w-]+ ){0,2}?"
                 + _PRO_DE + r"\b[^.!?,;\n]{0,40}"],
        # "Für Tipps wäre ich dankbar", "Ich wäre euch sehr dankbar, wenn …" (conditional: asks); the
        # present "bin dankbar für …" only with what is asked for, not "für jeden Tag"
        "help": [# the computer-help forum's pleas, often without a question mark (1 of 1 labelled posts each):
                 # "Hoffe jemand kann mir da helfen.", "Ich hoffe auf baldige Hilfe!", "Kann mir da vieleicht
                 # jemand helfen …", "Nun brauche ich wieder mal eure Hilfe", "So ich bitte um eure Hilfe"
                 r"\bhoffe,? (?:dass )?(?:mir )?(?:jemand|ihr|einer|wer)\b[^.!?]{0,30}\b(?:helfen|weiterhelfen)\b",
                 r"\bhoffe (?:sehr |echt )?auf (?:eure |baldige |schnelle )*(?:hilfe|antwort(?:en)?|tipps)\b",
                 # "(bitte um schnelle antwort)" (not a commenter's "@MEDIUM bitte um Antwort wie …")
                 r"\bbitte um (?:eure |eine )?(?:hilfe|rat|unterstützung)\b",
                 # "Über Tipps würde ich mich sehr freuen", "Über jede Hilfe wäre ich froh"
                 r"\büber (?:jede |eure |eine |ein paar |einige )?(?:hilfe|antwort(?:en)?|tipps?|rat|ratschläge|anregungen|ideen|"
                 r"rückmeldung(?:en)?|empfehlungen) (?:würde|würden|wäre|wären|bin|freue) (?:ich|wir)? ?(?:mich|uns)? ?(?:sehr |echt )?"
                 r"(?:freuen|dankbar|froh)\b",
                 r"\bbitte um (?:eine )?(?:schnelle|baldige) (?:antwort|hilfe|rückmeldung)\b",
                 r"\b(?:kann|könnte) (?:da |hier |mir |uns )*(?:vielleicht |vieleicht |bitte |evtl\.? )?(?:jemand|wer|einer|"
                 r"irgendwer) (?:\w+ ){0,3}(?:helfen|weiterhelfen)\b",
                 r"\b(?:brauche|bräuchte|benötige) (?:ich|wir) (?:\w+ ){0,3}(?:eure|deine|ihre) (?:hilfe|rat|tipps?)\b",
                 r"\bbitte (?:um )?(?:eure|deine|ihre) (?:hilfe|rat|unterstützung|antworten)\b",
                 # "… PowerPoint stürzt ständig ab. Dringend Hilfe!", "Bitte um Hilfe"
                 r"(?:^|[.!?]\s+)(?:dringend|bitte) (?:um )?hilfe\b",
                 # "Ich bräuchte mal euren Rat: …"
                 r"\b(?:ich|wir) (?:bräuchte|bräuchten|brauche|brauchen|benötige|benötigen) (?:mal |dringend |bitte )?"
                 r"(?:euren|eure|deinen|deine|ihren|ihre) (?:rat|hilfe|tipps?|input)\b",
                 r"\b(?:wäre|wären) (?:ich |wir )?(?:euch |ihnen )?(?:sehr |echt |wirklich |total |super |für )?dankbar\b",
                 r"\b(?:bin|sind) (?:ich |wir )?(?:euch )?(?:sehr |echt |wirklich |total |super )?dankbar (?:für|über) "
                 r"(?:jede[nr]? |eure |alle )?(?:tipps?|hilfe|hinweise?|ratschläge|rat|empfehlung(?:en)?|ideen?|antwort(?:en)?)\b",
                 r"\bfalls (?:mir |uns )?(?:jemand|wer|einer) (?:von euch )?(?:\w+ ){0,4}(?:helfen|empfehlen|weiterhelfen)\b"],
    },
    "en": {
        # "… To get around this, I'm looking for a smartwatch that plays music" anywhere in the post (8
        # of 9 labelled posts; the other a moderator's list of what not to post)
        # "Trying to decide between a Mac mini and a NUC for our reception PC."
        "comparison": [r"\b(?:trying to|can't|cannot|can not|need to|help me) decide between\b"],
        # "Got quotes between 3k and 25k … I have no idea how to tell which agency is legit."
        "vet": [r"\b(?:no idea|not sure|don't know|do not know|no clue) (?:how to (?:tell|choose|pick|know|find out) )?(?:which|whether|if) "
                r"(?:\w+ ){0,4}?(?:is|are) (?:legit|trustworthy|reputable|reliable|any good|the right (?:one|choice))\b"],
        "seek": [r"\b(?:i'm|im|i am|we're|we are) (?:currently |now |still )?(?:looking|searching) for "
                 r"(?:a|an|some|recommendations|someone)\b",
                 # a body's later sentence without the pronoun, for a professional: "Moved here last year.
                 # Looking for an English speaking therapist, ideally covered by TK." (not "Police are looking
                 # for a man …"; not "Looking for a local who can show us the Volksfest": the city forum's
                 # posts of that kind are labelled no request)
                 r"(?:^|[.!?]\s+)(?:currently |now |still |also )?(?:looking|searching) for (?:a|an|some|good) "
                 r"(?:[\w-]+ ){0,3}?(?:" + _PRO_EN + r"|(?:local|reliable|trustworthy|reputable) (?:[\w-]+ )?(?:company|firm|"
                 r"provider|agency|business))\b[^.!?,;\n]{0,40}"],
        "provider": [r"\b(?:hoping|trying) to find (?:someone|somebody)\b",
                     # a quote to check: "Got a quote of 18k for a full roof replacement. Does that sound right?"
                     # (a quote, a bill: not the news' "the price of bread will double. Does that sound right?")
                     r"\b(?:quoted?|quotes|estimate|charged?|charging|asking|bill|invoice)\b[^?]{0,200}?\b(?:does (?:that|this) "
                     r"(?:sound|seem) (?:right|"
                     r"reasonable|fair|normal|high|too high|ok|okay)|is (?:that|this) (?:reasonable|normal|fair|too much|a rip-?off)|"
                     r"can (?:that|this) (?:possibly )?be right)\b",
                     # "need someone to help me move a couch next saturday, will pay" (opening a sentence: not
                     # a story's "I'm diabetic and I need someone to check my blood sugar")
                     r"(?:^|[.!?]\s+)(?:i |we )?need (?:someone|somebody) (?:to|who)\b",
                     r"\blooking for (?:someone|somebody) (?:who|to|that|with)\b",
                     r"\bif (?:anyone|someone|somebody) (?:here )?(?:is selling|sells|rents|offers)\b"],
        "help": [
                 # "Just hired my first employees and I'm lost." (not "lost for words", "lost in thought", "lost
                 # without my phone")
                 r"\b(?:i'm|im|i am) (?:completely |totally |so |kind of |kinda |a bit |pretty |really )?lost\b"
                 r"(?! (?:for words|in|without|at sea|cause|because))(?=[.!,;]| here| with this| on (?:this|where|what|how))",
                 r"\bif (?:anyone|someone|somebody) (?:here )?(?:could|can) (?:help|recommend|suggest|point me|advise)"
                 r"(?= me\b| us\b| out\b| with\b| please\b| i\b| i'|\s*[,.!:)]|\s*$)",
                 r"\bif (?:anyone|someone|somebody) (?:here )?(?:has|knows|got) (?:any |a )?(?:suggestions?|recommendations?|"
                 r"ideas?|tips?|advice|a fix|a solution)\b",
                 # "… I tried to factory reset but it didn't solve my problem. Please help" (a sentence that
                 # opens with it: 11 of 12 labelled posts; the other quotes what not to post)
                 r"(?:^|[.!?]\s*)(?:please|pls|plz|urgent|urgently need) help\b",
                 # "Need help bad.", "I really need help with this" (a sentence that opens with it and does
                 # not ask: "Need help with your taxes? Call us" is an advert)
                 r"(?:^|[.!?]\s+)(?:i |we )?(?:really |desperately |urgently )?need (?:some |urgent |your )?help\b(?![^.!?\n]*\?)",
                 # "I was wondering if any of you guys could share your settings", "… if someone could
                 # give a second opinion" (labelled posts: 4 of 4 requests)
                 r"\bwondering if (?:anyone|anybody|someone|somebody|any of you|you guys)\b",
                 # "I hope someone can point me in the right direction", "I was hoping somebody could explain …",
                 # "hoping to get some help with my CPU choice", "wondering if there are any guides on …"
                 # (labelled posts: 8 more, all requests)
                 # (the author's own hope: not the news' "Police say they hope someone can help them …")
                 r"(?:^|[.!?,(]\s*|\b(?:i|we)(?:'m| am| was| were| are|'re)? (?:really |just |still )?)(?:hope|hoping) (?:someone|"
                 r"somebody|anyone|anybody|one of you|you guys|y'all) (?:here )?(?:could|can|would|"
                 r"will|might) (?:help|point|recommend|suggest|explain|tell|advise|shed)\b",
                 r"\bhoping to get (?:some |any )?(?:help|advice|input|suggestions|recommendations|tips)\b",
                 r"\bwondering if there (?:is|are|'s) (?:any|a|some) (?:good )?(?:guides?|tutorials?|tools?|apps?|programs?|"
                 r"software|ways?|options?|alternatives?)\b",
                 # "Any help or advice is appreciated!", "I would super appreciate any help" (labelled posts: 30
                 # more, all requests), "Can someone please help  I use streamlabs …" without its "?" (3 of 4)
                 r"\bany (?:help|advice|ideas|suggestions|tips|input|insight)(?: (?:or|and|/) (?:help|advice|ideas|suggestions|"
                 r"tips|input))? (?:is|are|would be|will be) (?:greatly |much |really |very much |highly |hugely )?appreciated\b",
                 r"\b(?:would|will|i'd) (?:\w+ )?appreciate (?:any|some|your) (?:help|advice|ideas|suggestions|tips|input)\b",
                 r"(?:^|[.!?]\s+)(?:can|could) (?:someone|anyone|somebody|anybody|you guys|y'all) (?:please )?help\b"
                 r"(?![^.!?\n]*\?)",
                 # "I was curious if there is a way to reset it without losing my data" (1 of 1)
                 r"\b(?:wondering|curious|want to know|wanted to know) (?:if|whether) there(?:'s| is) (?:a|any) (?:\w+ )?way\b"],
    },
}
# A title that asks without a question mark ("Can anyone recommend an MQTT broker",
# "Recommendations for a lightweight Linux", "Need help with my router", "Hilfe gesucht: …"):
# looked for only in a title that does not end with "?" (one that does is a question sentence
# above). Labelled posts: 11 English posts more have a direct form, all 11 requests (mostly
# softwarerecs titles; no HN link title matches, "MV(Game): Need help with game ideas …", a
# promotion, does not: "need help" only opens a title); the German forms have no labelled title to
# check them on and follow the English ones and the forum custom ("Brauche Hilfe bei …",
# "Empfehlung gesucht").
DIRECT_TITLES: dict[str, dict[str, list[str]]] = {
    "de": {
        "recommendation": [r"\b(?:kann|könnte|könnt|würdet)\b" + _GAP % 60 + r"\b(?:empfehlen|empfehlt)\b",
                           r"\b(?:empfehlung(?:en)?|tipps|vorschläge) gesucht\b",
                           # a trade or profession and "Empfehlung": "Empfehlung Steuerberater Stuttgart",
                           # "Zahnarzt-Empfehlung für Angstpatienten"
                           r"^(?:empfehlung(?:en)?:? (?:für )?(?:einen |eine |ein )?(?:[\w-]+ ){0,2}?(?:" + _PRO_DE + r"|" + _LOCAL_DE
                           + r")|(?:[\w-]+ )?(?:" + _PRO_DE + r"|" + _LOCAL_DE + r")[- ]?empfehlung(?:en)?)\b"],
        "provider": [
            # "Umzugshelfer gesucht", "Fliesenleger für kleines Bad gesucht" (a job advert's "(m/w/d)",
            # "Bewerbung" veto it; not "Zeugen gesucht")
            r"^(?:[\w-]+ ){0,2}?(?:\w*helfer(?:in)?|" + _PRO_DE + r"|" + _LOCAL_DE + r"|[\w-]*(?:betreuung|service|"
            r"beratung|wartung|reinigung|reparatur))(?: [\w-]+){0,4}? gesucht\b(?!\s*\?)"],
        "help": [r"\b(?:hilfe|rat) gesucht\b",
                 r"^(?:ich )?(?:brauche|benötige) (?:(?:eure|dringend|bitte|mal|etwas) ){0,2}(?:hilfe|rat|tipps)\b"],
    },
    "en": {
        "recommendation": [r"\b(?:can|could|would) (?:anyone|someone|you|somebody|you guys|y'all)\b" + _GAP % 60
                           + r"\b(?:recommend|suggest)\b",
                           # "Recommendation for a note-taking app", "Need recommendations for …"; not a guide's
                           # "Recommendations for securing your server" (plural without a request word)
                           r"^(?:(?:i )?(?:need|seeking|looking for|want|any|best) (?:a |some )?recommendations?|"
                           r"recommendation) (?:for|on)\b",
                           # a trade or profession and "recommendations": "Tax advisor recommendations for freelancers",
                           # "Dentist recommendation in Stuttgart?" (not "Security recommendations for developers")
                           r"^(?:[\w-]+ ){0,2}?(?:" + _PRO_EN + r"|" + _LOCAL_EN + r") recommendations?\b"],
        # not an advert's "Need help with your taxes? Our advisers …" (a question, then a statement)
        "help": [r"^(?:i )?(?:need|needing) (?:some |urgent |your )?(?:help|advice)\b(?![^.!?\n]*\?)"],
    },
}
# The job-advert and offer phrases that rule out a direct form ("Wir suchen einen Elektriker
# (m/w/d)", "Verkaufe … Wo bekommt man sonst so einen?") where they state, not where they ask ("Hat
# jemand ein Sofa abzugeben?" is a request); the groups' weaker words ("free",
# "kostenlos", "Rabatt", "job") are model features only: "Is there a free alternative to
# Photoshop?" and "How much should a brake job cost?" are requests.
DIRECT_VETO: dict[str, frozenset[str]] = {
    "job_ad": frozenset("""m/w/d|m/w|w/m/d|stellenangebot|stellenanzeige|wir stellen ein|jetzt bewerben|bewerben sie sich|
ihre aufgaben|ihr profil|wir bieten|we're hiring|we are hiring|join our team|apply now|job opening|is hiring|
who is hiring|bewerbungen|bewerbung bitte|bewirb dich|bewerbungsunterlagen|send your cv|send us your cv|send your resume|
apply via|apply at""".replace("\n", "").split("|")),
    "offer": frozenset("""verkaufe|zu verkaufen|zu verschenken|biete|abzugeben|gebe ab|jetzt bestellen|for sale|order now|
free shipping|promo|coupon|giveaway""".replace("\n", "").split("|")),
}
# An article's or a video's teaser asks its reader's question to answer it ("Brauche ich einen
# Steuerberater? Wir zeigen, wann es sich lohnt. Jetzt lesen!", "Do I need an accountant? 5 signs
# it's time to hire one"): its own phrases, stated (not asked), or a list title ("5 Tipps …") rule
# the direct forms out. Users asking for help rarely write them.
GUIDE_VETO: dict[str, str] = {
    "de": r"\b(?:jetzt lesen|mehr lesen|weiterlesen|hier lesen|zum artikel|zum beitrag|unser(?:em|en)? (?:neuer? |neuen )?"
          r"(?:ratgeber|video|artikel|beitrag|blog|podcast|leitfaden)|im ratgeber|auf unserem blog|in der bio|wir zeigen|"
          r"wir erklären|erfahren sie|lesen sie|die redaktion|unsere redaktion|ein besuch (?:bei|beim|im|in)|"
          r"(?:haben|hat) (?:\d+|zehn|zwanzig) [\w-]+ getestet)\b",
    "en": r"\b(?:read more|read on|learn more|continue reading|our (?:new |free |complete |ultimate )?"
          r"(?:guide|article|video|blog post|podcast|webinar|ebook)|in this (?:article|post|guide|video)|we explain|"
          r"we show you|on our blog|link in bio|subscribe to our|we tested|our editors|our team tested|a visit to)\b",
}
GUIDE_TITLE = re.compile(r"^\W*\d+ (?:\w+ )?(?:tipps|gründe|fragen|fehler|anzeichen|dinge|wege|signs|ways|reasons|tips|"
                         r"questions|mistakes|things)\b", re.IGNORECASE)
STATEMENT_TRIGGERS = {"de": ("jemand", "such", "dankbar", "falls", "hoffe", "bitte", "brauche", "bräuchte", "benötige", "euren", "eure ", "deinen", "deine ", "ihren", "ihre ", "entscheiden", "freuen", "froh",
                              "schwanke", "hilfe", "angebot", "kostenvoranschlag", "euro", "€", "verlangt", "keine ahnung", "weiß nicht",
                              "weiss nicht", "unsicher"), "en": ("anyone", "someone", "somebody", "wondering", "curious", "lost",
                                                                  "want to know", "wanted to know", "looking for",
                                                                  "searching for", "decide between", "help", "appreciate", "hope", "hoping",
                                                                  "quote", "estimate", "charg", "asking", "bill", "invoice",
                                                                  "no idea", "not sure", "no clue", "know")}
_HELLO = {"de": r"(?:(?:hallo|hi|hey|moin|servus)\b[^,.!?]{0,20}[,.!]\s*)?",
          "en": r"(?:(?:hi|hello|hey)\b[^,.!?]{0,20}[,.!]\s*)?"}
DIRECT_OPENINGS: dict[str, list[str | tuple[str, str]]] = {
    # an expression alone is the "seek" form (what is sought: the model tells the intent); a pair names
    # its form
    # "Suche einen Steuerberater", "Wir suchen …", not the headline "Suche nach dem Täter"
    "de": [r"^" + _HELLO["de"] + r"(?:ich|wir) (?:suche|suchen)\b(?!\s+(?:nicht|nichts|kein\w*|niemand\w*)\b)",
           # the spoken "Ich such nen …" (with what is sought: not "ich such mal raus den Artikel")
           r"^" + _HELLO["de"] + r"ich such (?:nen|'nen|ne|einen|eine|ein|jemand\w*)\b",
           r"^" + _HELLO["de"] + r"suche\s+(?!nach\b)\w",
           r"^" + _HELLO["de"] + r"(?:(?:ich )?bin|(?:wir )?sind) auf der suche\b",
           # a trade or professional needed: "Brauche dringend einen Elektriker in S-West" (not the
           # question "Brauche ich einen Steuerberater?", not an advert's "Brauchen Sie einen Maler? …")
           ("hire", r"^" + _HELLO["de"] + r"(?:ich |wir )?(?:brauche|brauchen|benötige|benötigen|bräuchte|bräuchten) "
            r"(?:dringend |schnell |kurzfristig |mal )?(?:einen|eine|ein|nen|ne|'nen) (?:\w+ ){0,2}?" + _PRO_DE
            + r"\b(?![^.!?\n]*\?)")],
    # "Looking for a bookkeeper", not the headline "Looking for the Higgs boson"
    "en": [r"^" + _HELLO["en"] + r"(?:i'?m |i am |we'?re |we are )?(?:looking for|searching for)\s+"
           r"(?:a|an|some|good|recommendations?|advice|suggestions?|help|someone)\b",
           # what kind of software is sought: "Looking for GPT prompt management tools", "Any good
           # alternatives to Google Apps for work?", "i need a free/cheap hosting or cloud service that has
           # ffmpeg" (labelled titles: 37 more, all requests; not "Looking for feedback on my plugin")
           r"^" + _HELLO["en"] + r"(?:i'?m |i am |we'?re |we are )?(?:looking for|searching for) (?!feedback|beta|testers|"
           r"contributors|co-?founders?|the\b)(?:a |an |some |good |free |open[- ]source )*" + _NP_EN + r"{0,4}?" + _PRODUCT_EN
           + r"\b",
           r"^any (?:good |free |trusted |decent )?" + _NP_EN + r"{0,3}?(?:" + _PRODUCT_EN_WORDS + r"|alternatives?) (?:that|for|to|"
           r"which|with)\b",
           r"^(?:i|we) need (?:a|an|some) " + _NP_EN + r"{0,4}?" + _PRODUCT_EN + r"\b",
           # a trade or professional needed: "Need a plumber in Austin", "We urgently need an electrician"
           # (not an advert's "Need a plumber? Call …", not "You need a lawyer")
           ("hire", r"^" + _HELLO["en"] + r"(?:i |we )?(?:urgently |really |desperately )?need (?:a|an) (?:\w+ ){0,2}?"
            + _PRO_EN + r"\b(?![^.!?\n]*\?)")],
}
# "lexoffice oder sevDesk?" as the title of a post whose body asks as well
CHOICE_TITLE = re.compile(r"^([^?]{1,60})\s(?:oder|or|vs\.?|versus)\s([^?]{1,40})\?\s*$"
                          # "Shopify vs WooCommerce for a small shop" above a body that asks: "vs" needs no "?"
                          r"|^([^?]{1,40})\s(?:vs\.?|versus)\s([^?]{1,60})$", re.IGNORECASE)
# ... but not the rhetorical "Is it me or is it me?", "Is it just me or …?", "Bin ich der Einzige oder …?"
RHETORICAL_CHOICE = re.compile(r"^(?:is it (?:just |only )?me|am i the only one|bin ich (?:der|die) einzige|"
                               r"geht es nur mir so|ist es nur mein)\b", re.IGNORECASE)
# ... nor a poll's: "Stuttgart vs München" above "Welche Stadt ist schöner? Diskutiert!"
CHOICE_POLL = re.compile(r"\b(?:diskutiert|diskutiere|discuss|stimmt ab|abstimmen|vote|umfrage|poll)\b", re.IGNORECASE)
# A poll's call to vote or discuss rules out every direct form ("Welcher Biergarten hat die schönste
# Aussicht? Stimmen Sie ab in unserer Umfrage!", "What would you set up? … Discuss."): the call
# itself, not a survey tool asked for ("Umfrage-Tool gesucht").
POLL_VETO = re.compile(r"\b(?:stimmen sie (?:jetzt |hier )?ab|stimmt (?:jetzt |hier )?ab|in unserer umfrage|zur umfrage|"
                       r"vote in the comments|vote below|cast your vote|take (?:our|the) poll)\b"
                       # the bare call as a sentence ("Discuss.", "Diskutiert!"; not "Happy to discuss.")
                       r"|(?:^|[.!?:]\s+)(?:diskutiert|discuss)\s*[.!]",
                       re.IGNORECASE)
DIRECT_LABELS: dict[str, tuple[str, str]] = {
    "recommendation": ("asks directly for a recommendation", "fragt direkt nach einer Empfehlung"),
    "where": ("asks directly where to get something", "fragt direkt, wo es etwas gibt"),
    "experience": ("asks directly for experiences", "fragt direkt nach Erfahrungen"),
    "help": ("asks directly for help", "bittet direkt um Hilfe"),
    "seek": ("says what is sought", "sagt, was gesucht wird"),
    "best": ("asks for the best option", "fragt nach der besten Wahl"),
    "provider": ("asks who offers something", "fragt, wer etwas anbietet"),
    "hire": ("needs a professional or a trade", "braucht einen Fachmann oder Handwerker"),
    "vet": ("looks for a trustworthy provider", "sucht einen seriösen Anbieter"),
    "purchase": ("wants to buy: names the thing, its use and a budget", "will etwas kaufen: nennt Gerät, Zweck und Budget"),
    "comparison": ("asks to choose between options", "fragt nach der Wahl zwischen Optionen"),
    "support": ("asks how to solve a problem", "fragt, wie sich ein Problem lösen lässt"),
    # a fault report states rather than asks (DIRECT_FAULTS): a support request all the same
    "fault": ("reports a fault of their own", "meldet einen Defekt am eigenen Gerät"),
}


TITLE_TRIGGERS = {"de": ("empf", "gesucht", "brauche", "benötige"), "en": ("recommend", "suggest", "need")}

# A fault report: the author's own device or appliance fails ("my PC won't turn on", "Mein Laptop
# startet nicht mehr", "Meine Therme zeigt keine Flamme"). In a help forum that is the request itself
# (support a repair shop, an IT service or a craftsman answers), asked or not: the tech-support
# forum's posts mostly describe and do not ask (labelled posts: 16 requests more, none of the
# support workers' stories once quoted speech is left out). Only the owner's ("my", "mein") things,
# not the railway's or a hotel's ("Der Zug fährt nicht", "Die Heizung ging nicht"), not a story's
# past ("my car wouldn't start, so I …"), in the device's own clause ("my old build so I won't
# post" is not one). Looked for only where one of ``FAULT_TRIGGERS`` occurs.
_DEVICES_EN = (r"(?:pc|computer|laptop|desktop|macbook|mac|imac|phone|iphone|ipad|tablet|monitor|screen|display|"
               r"printer|router|modem|wifi|wi-fi|internet|keyboard|mouse|headphones|earbuds|headset|speakers?|tv|"
               r"console|ps4|ps5|xbox|gpu|graphics card|cpu|motherboard|mobo|ssd|hdd|hard drive|external drive|"
               r"usb drive|usb stick|charger|battery|fans?|build|rig|server|nas|camera|car|boiler|furnace|heater|"
               r"dishwasher|washing machine|washer|dryer|fridge|freezer|air conditioner|water heater|microphone|mic|"
               r"webcam|bluetooth|audio|sound|wireless|ethernet|os|windows|bios|drivers?|app|outlook|email|e-mail|calendar|"
               r"vpn|website)")
_DEVICES_DE = (r"(?:pc|rechner|computer|laptop|notebook|macbook|mac|handy|smartphone|iphone|tablet|ipad|drucker|"
               r"router|fritzbox|fritz!box|wlan|internet|monitor|bildschirm|fernseher|tv|tastatur|maus|festplatte|"
               r"ssd|grafikkarte|akku|ladegerät|auto|wagen|heizung|therme|gastherme|boiler|waschmaschine|"
               r"spülmaschine|geschirrspüler|kühlschrank|trockner|konsole|ps4|ps5|xbox|kamera|server|nas|"
               r"lüfter|mikrofon|headset|kopfhörer|lautsprecher|windows|bios|treiber|app|outlook|e-mail|email|kalender|vpn|"
               r"webseite|website)")
# what the device does not do (English: the negation, then the verb; not a story's "my app was not working")
_FAULT_VERB_EN = (r"(?:(?<!was )(?<!were )(?<!had )(?:won't|wont|will not|doesn't|doesnt|does not|isn't|is not|not|can't|cant|cannot|keeps|stopped|"
                  r"refuses to|randomly|suddenly|no longer)\b(?: \w+){0,2}? ?(?:turn(?:ing)? on|boot(?:ing|s)?|"
                  # "keeps dropping the connection", "keeps asking for my password"
                  r"(?:los(?:e|es|ing)|drop(?:s|ping)?) (?:the |my |its |wifi |wi-fi |internet )?(?:connection|signal|wifi|wi-fi|internet)|"
                  r"ask(?:s|ing)? (?:me )?for (?:my |the |a )?password|"
                  r"start(?:ing|s)?(?! to\b)|work(?:ing|s)?|connect(?:ing|s)?|charg(?:e|ing|es)|show(?:ing|s)? up|"
                  r"load(?:ing|s)?|detect(?:ing|s|ed)?|recogni[sz](?:e|ing|es|ed)|crash(?:ing|es)?|freez(?:e|ing|es)|"
                  r"shut(?:ting|s)? (?:down|off)|restart(?:ing|s)?|disconnect(?:ing|s)?|overheat(?:ing|s)?|leak(?:ing|s)?|"
                  r"post(?:ing|s)?|display(?:ing|s)?|power(?:ing|s)? on|respond(?:ing|s)?|drain(?:ing|s)?|cool(?:ing|s)?|"
                  r"heat(?:ing|s)?|spin(?:ning|s)?|flush(?:ing|es)?|print(?:ing|s)?|ignit(?:e|ing|es)|"
                  r"(?:drop|cut)(?:s|ping|ting)? out|sync(?:ing|s)?|send(?:ing|s)?|open(?:ing|s)?)\b"
                  # only part of the job: "only prints blank pages", "only charges to 80 %", "only shows a black screen"
                  r"|only (?:print(?:s|ing)? (?:blank|empty|white|half)(?: pages?| sheets?)?|charg(?:es|ing) (?:to|up to)|"
                  r"show(?:s|ing)? (?:a )?(?:black|blank|white)|boot(?:s|ing)? (?:into|to) (?:the )?bios)\b)")
# (German: the verb, then the negation; or a separable verb's fault: "stürzt ständig ab")
_FAULT_VERB_DE_WORDS = (r"(?:startet|bootet|geht|funktioniert|lädt|reagiert|springt|verbindet sich|erkennt|zeigt|"
                        r"schaltet sich|heizt|läuft|fährt|druckt|pumpt|schleudert|spült|kühlt|trocknet|zündet|wird|synchronisiert|"
                        r"öffnet|sendet|empfängt)")
_FAULT_NEG_DE = r"(?: \w+){0,3}? ?(?:nicht|nicht mehr|kein(?:e|en)?|nur noch)\b"
_FAULT_VERB_DE = (_FAULT_VERB_DE_WORDS + r"\b" + _FAULT_NEG_DE
                  + r"|(?:stürzt|hängt sich|friert|schaltet sich)(?: \w+){0,3}? (?:ab|auf|ein|aus)\b"
                  # "verliert ständig die Verbindung", "fragt immer wieder nach dem Passwort"
                  + r"|verliert(?: \w+){0,2}? (?:die |das )?(?:\w*verbindung|signal|netz|wlan)\b"
                  + r"|fragt (?:\w+ ){0,2}?nach (?:dem |meinem )?passwort\b")
# the rest of the device's clause: no other subject or clause between ("my old build so I won't post")
_CLAUSE_EN = r"(?:(?!\b(?:so|but|and|because|then|when|i|you|he|she|we|they|it)\b)[^.!?,;:()\n]){0,50}?"
_CLAUSE_DE = r"(?:(?!\b(?:aber|und|weil|dann|wenn|als|ich|du|er|sie|wir|ihr|es)\b)[^.!?,;:()\n]){0,50}?"
DIRECT_FAULTS: dict[str, list[str]] = {
    "en": [# "my business card was declined twice today", "our order still hasn't arrived"
           r"\b(?:my|our) (?:\w+ ){0,2}?(?:card|account|payment|order|package|parcel|delivery|refund|website|site|email|server)\b"
           r"(?: \w+){0,3}? (?:(?:was|got|has been|keeps getting|keeps being) (?:declined|rejected|blocked|locked|suspended|frozen|"
           r"cancell?ed|charged twice|hacked|compromised)|(?:hasn't|has not|never|still hasn't|still has not) (?:arrived|been delivered|shown up|"
           r"been refunded|come))\b",
           r"\b(?:my|our) (?:\w+[ -]){0,3}?" + _DEVICES_EN + r"\b" + _CLAUSE_EN + r"\b" + _FAULT_VERB_EN,
           # "… and I have no idea why", "no clue what could be causing it"
           r"\bi (?:don't|dont|do not) know (?:why|what(?:'s| is)? (?:causing|wrong|going on|happening)|how to fix|"
           r"what to do)\b(?!,? but\b)",
           r"\b(?:i have|i've got|i got|have) no (?:idea|clue) (?:why|what(?:'s| is| could be| might be)? ?(?:causing|wrong|"
           r"going on|happening)|how to (?:fix|solve)|what to do)\b"],
    "de": [# "Meine Kreditkarte wurde heute zweimal abgelehnt", "Unsere Bestellung ist immer noch nicht angekommen"
           r"\b(?:mein|unser)(?:e|en|em)? (?:\w+ ){0,2}?\w*(?:karte|konto|zahlung|bestellung|paket|lieferung|erstattung|website|"
           r"webseite|homepage|server|postfach)\b"
           r"(?: \w+){0,3}? (?:(?:wurde|ist|wird) (?:\w+ )?(?:abgelehnt|gesperrt|storniert|blockiert|gehackt|kompromittiert)|(?:ist|wurde) (?:immer noch |noch )?"
           r"(?:nicht|nie) (?:angekommen|zugestellt|geliefert|erstattet))\b",
           r"\b(?:mein|unser)(?:e|en|em)? (?:\w+ ){0,2}?" + _DEVICES_DE + r"\b" + _CLAUSE_DE + r"\b(?:" + _FAULT_VERB_DE + r")",
           # the verb first: "… trotzdem druckt mein Drucker nur noch leere Seiten", "Seit gestern startet
           # mein PC nicht mehr"
           r"\b" + _FAULT_VERB_DE_WORDS + r" (?:mein|unser)(?:e|en|em)? (?:\w+ ){0,2}?" + _DEVICES_DE + r"\b" + _FAULT_NEG_DE,
           # "Seit dem Update fragt mein Outlook dauernd nach dem Passwort", "… verliert mein Router ständig die Verbindung"
           r"\b(?:fragt|verliert) (?:mein|unser)(?:e|en|em)? (?:\w+ ){0,2}?" + _DEVICES_DE + r"\b(?: \w+){0,2}? "
           r"(?:nach (?:dem |meinem )?passwort|(?:die |das )?(?:\w*verbindung|signal|netz|wlan))\b",
           r"\b(?:ich habe|hab|habe) keine ahnung,? (?:woran|warum|wieso|was) (?:das|es)? ?(?:liegt|liegen|los ist|kaputt)\b",
           r"\b(?:ich )?(?:weiß|weiss) (?:echt |wirklich )?nicht,? woran (?:das|es) liegt\b"],
}
FAULT_TRIGGERS = {"en": ("my ", "our ", "no idea", "no clue", "know why", "know what", "know how"),
                  "de": ("mein", "unser", "keine ahnung", "woran")}
# A forum post's title that names the fault ("Laptop won't turn on after BIOS update", "PC startet
# nicht mehr nach Stromausfall") above a body that tells one's own case: looked for only in a title
# with a body that says "I"/"ich" (a news site's link title has no body, its summary no "I":
# "iPhone won't charge past 80 % by default").
FAULT_TITLES: dict[str, str] = {
    "en": r"^(?:(?:my|new|old|the|a) )?(?:[\w-]+ ){0,3}?" + _DEVICES_EN + r"s?\b(?:(?: \w+){0,2}? " + _FAULT_VERB_EN
          # "Laptop overheating and shutting down", "PC randomly restarting"
          + r"| (?:is |keeps )?(?:randomly |constantly |suddenly )?(?:overheating|crashing|freezing|shutting (?:down|off)|"
          r"restarting|rebooting|disconnecting|beeping|not (?:working|booting|charging|turning on|starting))\b)",
    "de": r"^(?:(?:mein(?:e|en)?|neuer?|alter?|der|die|das) )?(?:[\w-]+ ){0,3}?" + _DEVICES_DE + r"\b(?: \w+){0,2}? (?:"
          + _FAULT_VERB_DE + r"|überhitzt|piept|startet (?:ständig|immer wieder|dauernd) neu)",
}


# A purchase asked for by naming it: a title with the thing and its use or price ("Laptop for
# university", "Gaming-PC bis 1000 €", "Kaffeemaschine fürs Büro") above a body in the author's own
# words that gives a budget ("Budget around 800 dollars", "max. 300 €"). Not a title about one's own
# thing ("My new laptop for work: 1200 € well spent"), not a sale (the offer veto), not a review
# site's list (no "I" in its body).
PURCHASE_TITLES: dict[str, str] = {
    "en": r"^\W*(?!my\b|our\b)(?:[\w-]+ ){0,2}?" + _GOODS_EN + r" (?:for|under|around|up to|below) (?!sale\b)\S",
    "de": r"^\W*(?!mein|unser)(?:[\w-]+ ){0,2}?" + _GOODS_DE + r" (?:für|fürs|zum|zur|bis|unter|um) (?!verkauf\b)\S",
}
BUDGET = re.compile(r"\b(?:budget|max(?:imal|imum)?\.?|bis|up to|under|unter|around|ca\.?|circa|about|rund)\s*(?:[$€£]\s?)?\d"
                    r"|\d[\d.,]*\s?(?:€|eur\b|euro\b|\$|dollars?\b|usd\b|chf\b|k\b)|[$€£]\s?\d", re.IGNORECASE)
PURCHASE_FIRST_PERSON = {"en": re.compile(r"\b(?:i|i'm|im|i've|my|me|our|we're|we need)\b", re.IGNORECASE),
                         "de": re.compile(r"\b(?:ich|mein\w*|mir|mich|unser\w*)\b", re.IGNORECASE)}


def direct_title_patterns(lang: str) -> list[tuple[str, re.Pattern]]:
    """Compiled ``(form, expression)`` of :data:`DIRECT_TITLES` for ``lang``."""
    return [(form, re.compile(p, re.IGNORECASE)) for form, ps in DIRECT_TITLES.get(lang, {}).items() for p in ps]


def direct_patterns(lang: str) -> tuple[list[tuple[str, re.Pattern]], list[re.Pattern], list[tuple[str, re.Pattern]]]:
    """Compiled ``(form, expression)`` question forms, opening forms and statement forms of ``lang``."""
    qs = [(form, re.compile(p, re.IGNORECASE)) for form, ps in DIRECT_QUESTIONS.get(lang, {}).items() for p in ps]
    st = [(form, re.compile(p, re.IGNORECASE)) for form, ps in DIRECT_STATEMENTS.get(lang, {}).items() for p in ps]
    ops = [(p[0], re.compile(p[1], re.IGNORECASE)) if isinstance(p, tuple) else ("seek", re.compile(p, re.IGNORECASE))
           for p in DIRECT_OPENINGS.get(lang, [])]
    return qs, ops, st


def direct_fault_patterns(lang: str) -> tuple[list[re.Pattern], re.Pattern | None]:
    """Compiled :data:`DIRECT_FAULTS` and :data:`FAULT_TITLES` of ``lang``."""
    title = FAULT_TITLES.get(lang)
    return ([re.compile(p, re.IGNORECASE) for p in DIRECT_FAULTS.get(lang, [])],
            re.compile(title, re.IGNORECASE) if title else None)



_WORD_CHAR = re.compile(r"\w")


def word_start_keys(rx: re.Pattern, size: int = 3) -> frozenset[str] | None:
    """The keys of the words a match of ``rx`` can start with: a word's first ``size`` characters,
    lower case, or the whole word if it is shorter; None when that cannot be read off the expression
    (it does not start at a word boundary or the text's start, or does not start with literal text).

    A question or statement form is tried on a post only when one of the post's words has one of its
    keys (``Analyzer._direct_forms``): most of the ~100 forms per language are then never run on a
    post. A key is a necessary condition, never a sufficient one: the expression decides.

    The expression is read with CPython's own (private) regular-expression parser; should a later
    Python change it, every form gets None and is simply always tried (slower, the same results)."""
    try:
        return _read_word_start_keys(rx, size)
    except Exception:  # noqa: BLE001 — any change of the private parser: no keys, no error
        return None


def _read_word_start_keys(rx: re.Pattern, size: int) -> frozenset[str] | None:
    """:func:`word_start_keys` without the fallback."""
    from re import _constants as c, _parser as p

    def starts(items: list, need: int) -> set[str] | None:
        """The texts of length ``need`` every match of ``items`` starts with (fewer where the
        literal text ends in a non-word character first), or None."""
        if need <= 0:
            return {""}
        if not items:
            return None
        (op, av), rest = items[0], items[1:]
        if op is c.LITERAL:
            ch = chr(av)
            if not _WORD_CHAR.match(ch):
                return {ch}  # the word ends here: enough to tell the key
            tails = starts(rest, need - 1)
            return None if tails is None else {ch + t for t in tails}
        if op is c.IN and av and all(o is c.LITERAL for o, _ in av):
            return _union(starts([(c.LITERAL, v)] + rest, need) for _, v in av)
        if op is c.SUBPATTERN:
            return starts(list(av[-1]) + rest, need)
        if op is c.BRANCH:
            return _union(starts(list(b) + rest, need) for b in av[1])
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):  # takes no text
            return starts(rest, need)
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            lo, _hi, sub = av
            once = starts(list(sub), need)  # one repetition must give the whole key by itself
            if once is not None and any(len(s) < need and _WORD_CHAR.match(s[-1:] or "x") for s in once):
                once = None
            if lo >= 1:
                return once
            skip = starts(rest, need)
            return None if once is None or skip is None else once | skip
        return None

    def _union(parts) -> set[str] | None:
        out: set[str] = set()
        for s in parts:
            if s is None:
                return None
            out |= s
        return out

    items = list(p.parse(rx.pattern, rx.flags))
    if not items or items[0][0] is not c.AT or items[0][1] not in (c.AT_BOUNDARY, c.AT_BEGINNING,
                                                                   c.AT_BEGINNING_STRING):
        return None
    # zero-width items and leading non-word characters ("^\W*") come before the first word
    while items and (items[0][0] in (c.AT, c.ASSERT, c.ASSERT_NOT)
                     or (items[0][0] is c.MAX_REPEAT and items[0][1][0] == 0
                         and list(items[0][1][2]) in ([(c.IN, [(c.CATEGORY, c.CATEGORY_NOT_WORD)])],
                                                       [(c.IN, [(c.CATEGORY, c.CATEGORY_SPACE)])]))):
        items = items[1:]
    found = starts(items, size)
    if not found:
        return None
    keys = set()
    for s in found:
        word = s[:len(s) - 1] if s and not _WORD_CHAR.match(s[-1]) else s
        if not word or not all(_WORD_CHAR.match(ch) for ch in word):
            return None
        keys.add(word.lower())
    return frozenset(keys)
