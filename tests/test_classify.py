"""The pure classifier on real sentences, persona points, language detection and explanations."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from radar.classify import Classifier
from radar.classify.personas import PersonaScorer, find_numbers
from radar.classify.text import detect_language, normalise
from radar.config import PersonaConfig, load_config

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    cfg = load_config(ROOT / "config")
    return Classifier.load("bundled", personas=cfg.personas, settings=cfg.settings.classifier)


# Real help requests (titles and bodies of public posts, several from ../shared/data/posts) and
# what they ask for.
REQUESTS = [
    ("de", "recommendation", "Kann mir jemand einen guten Steuerberater in Stuttgart empfehlen?", ""),
    ("de", "recommendation", "Most underrated Restaurants",
     "Hey, ich war gestern im Viertel in Stuttgart Ost und es war richtig gut. Was habt ihr denn für Empfehlungen wo mehr Leute hin sollten?"),
    ("de", "supplier", "Wo gibt es die in S oder Umgebung?", "Würde mir gern den gekühlten Versand sparen. Wichtig: es müssen genau die sein, grüne Packung, vegan. Danke!"),
    ("de", "supplier", "Woher bekomme ich eine Bahngleise?", ""),
    ("de", "support", "", "Hallo, habe mir ein Asus P5Q geholt. Nach dem reboot sind die USB-Ports wie tot. Hoffe jemand kann mir da helfen. Vielen Dank im voraus!"),
    ("de", "experience", "Erfahrungen mit DATEV Unternehmen online?", "Hat jemand von euch Erfahrungen damit gemacht? Lohnt sich das für eine kleine Firma?"),
    ("de", "comparison", "lexoffice oder sevDesk?", "Was ist besser für einen Handwerksbetrieb mit 5 Mitarbeitern?"),
    ("en", "recommendation", "Which password manager do you recommend?", ""),
    ("en", "recommendation", "Any recommendations for accounting software for a small business?", "We are a team of 12 and outgrow spreadsheets."),
    ("en", "supplier", "Where can I buy a refurbished ThinkPad in Berlin?", ""),
    ("en", "support", "", "I downloaded a Trojan file. Windows defender caught it, however the trojan turned defender off. If I reset my computer to factory default, will that destroy the trojan?"),
    ("en", "experience", "Has anyone used Odoo for a 50 person company?", "What was your experience with the implementation?"),
    ("en", "comparison", "PhantomJS vs Protractor?", "Which one is better for end-to-end tests?"),
]

# Not help requests: news, opinions that use "empfehle"/"Erfahrung"/"recommend" without asking,
# stories, show-offs, sale offers, job ads.
NOT_REQUESTS = [
    ("de", "44.000 Menschen auf dem Schlossplatz sind die Stuttgarter Brandmauer", ""),
    ("de", "", "Ich empfehle jedem, diese Partei nicht zu wählen. Meine Erfahrung zeigt, dass das nichts bringt."),
    ("de", "", "Frühstück und auch das Personal war einfach super, kann ich nur empfehlen."),
    ("de", "", "Bahn-Chef Grube verspricht Ende der umgekehrten Wagenreihung, berichtet die Zeitung."),
    ("de", "", "Verkaufe 2 DB Geschenk-Tickets 1. Klasse, je 75 €, bei Interesse PN."),
    ("en", "Show HN: I built a tool that turns invoices into spreadsheets", ""),
    ("en", "", "I highly recommend this hotel, the staff were great and the experience was wonderful."),
    ("en", "Nvidia settles graphics card false advertising class action", ""),
    ("en", "", "Just built my 1st pc and I could not be more proud of myself! Pics in the comments."),
]


@pytest.mark.parametrize("lang,intent,title,body", REQUESTS, ids=[f"{r[0]}-{r[1]}-{i}" for i, r in enumerate(REQUESTS)])
def test_help_requests_are_found_with_their_intent(classifier, lang, intent, title, body):
    r = classifier.classify(title, body)
    assert r.lang == lang
    assert r.is_request, (r.request_probability, r.explanation)
    assert r.intent == intent, (r.intent, r.intent_probabilities, r.explanation)
    assert r.explanation.startswith("Hilfeanfrage" if lang == "de" else "Help request")


@pytest.mark.parametrize("lang,title,body", NOT_REQUESTS, ids=[f"{r[0]}-{i}" for i, r in enumerate(NOT_REQUESTS)])
def test_hard_negatives_are_not_requests(classifier, lang, title, body):
    r = classifier.classify(title, body)
    assert r.lang == lang
    assert not r.is_request, (r.request_probability, r.explanation)
    assert r.intent == "none"
    assert r.temperature == "cold"


def test_requests_rank_above_hard_negatives(classifier):
    pos = classifier.classify_many([(t, b) for _, _, t, b in REQUESTS])
    neg = classifier.classify_many([(t, b) for _, t, b in NOT_REQUESTS])
    assert min(r.request_probability for r in pos) > max(r.request_probability for r in neg)


def test_batch_equals_single(classifier):
    items = [(t, b) for _, _, t, b in REQUESTS[:4]]
    many = classifier.classify_many(items)
    again = classifier.classify_analyses(classifier.analyse(items), batch_size=3)
    assert [r.as_contract(None) for r in again] == [r.as_contract(None) for r in many]
    for (t, b), r in zip(items, many):
        one = classifier.classify(t, b)
        assert one.request_probability == pytest.approx(r.request_probability)
        assert one.intent == r.intent


def test_explanation_names_phrases_personas_and_urgency(classifier):
    r = classifier.classify("Suche IT-Dienstleister in Stuttgart",
                            "Wir sind ein Büro mit 60 Mitarbeitern, unser Server fällt ständig aus. Wer kann uns dringend helfen?")
    assert r.is_request and r.lang == "de"
    assert r.best_persona == "it-service-dach"
    assert r.persona_fit["it-service-dach"] > 80
    assert r.personas["it-service-dach"]["criteria"]["company size"]["points"] == 100
    assert r.urgency >= 40
    assert r.temperature != "cold"
    assert "Suche" in r.explanation and "Dringlichkeit" in r.explanation and "company size" in r.explanation
    en = classifier.classify("Any recommendations for an IT provider in Munich?", "Our team of 60 needs help with backups ASAP.")
    assert "Urgency" in en.explanation and "Fits" in en.explanation
    # the asking phrase is named once: as a direct form, not again as evidence
    assert 'Asks directly: "Any recommendations" (asks directly for a recommendation)' in en.explanation
    assert en.explanation.count("Any recommendations") == 1


# A direct request form sets a floor under the probability: the model has few German requests
# outside railway tweets and misses such posts when the request stands in the body or under a
# bare title (each of these scored below 0.2 before the floor).
DIRECT = [
    ("de", "recommendation", "", "Kann mir jemand einen Steuerberater in Stuttgart empfehlen?"),
    ("de", "recommendation", "Steuerberater", "Kann mir jemand einen Steuerberater in Stuttgart empfehlen?"),
    ("de", "supplier", "Suche IT-Dienstleister für unser Büro in München", ""),
    ("de", "comparison", "lexoffice oder sevDesk?", "Wir sind ein kleines Büro mit 5 Leuten und wollen die Buchhaltung digitalisieren. Was nutzt ihr?"),
    ("en", "supplier", "Refurbished laptops", "Where can I buy a refurbished ThinkPad in Berlin? Thanks!"),
    # the question word order of a forum post: "Welche Tipps habt ihr …?", "Was sind die Geheimtipps …?"
    ("de", "recommendation", "Hitze im Dachgeschoss",
     "Es ist so heiß, dass ich nachts kaum schlafe. Welche Tipps habt ihr, um die Hitze besser auszuhalten?"),
    ("de", "recommendation", "Was sind eure Geheimtipps für Cafés in Stuttgart?", ""),
    ("en", "recommendation", "", "What are some good places to eat near the main station?"),
    ("en", "recommendation", "What do you use for password management and why?", ""),
    ("en", "support", "Laptop fan runs all the time", "Since the last update the fan of my laptop never stops, even when it is idle. "
     "I already cleaned it and checked the task manager. Any ideas what else I could try?"),
    ("de", "recommendation", "Buchhaltung im kleinen Büro", "Wir sind zu dritt und machen alles noch in Excel. Was nutzt ihr für die Buchhaltung?"),
    # polite requests as statements, no question mark
    ("en", "supplier", "New in town", "I moved here last month and bought a wardrobe. I was hoping to find someone with a van "
     "who I could pay to help me move it this weekend."),
    ("de", "supplier", "Umzug am Samstag", "Wir ziehen am Samstag innerhalb von Stuttgart um und suchen jemanden mit Transporter, "
     "der uns zwei Schränke fährt. Bezahlung nach Absprache."),
    # a choice whose options end alike is still a choice (only "X or X?" is not)
    ("en", "comparison", "Rent a car or buy a car?", "We need a car for the business for two years. What would you do?"),
    ("de", "support", "Drucker druckt nur leere Seiten", "Seit dem Update druckt unser Brother-Drucker im Büro nur noch "
     "leere Seiten, Treiber ist neu installiert. Für Tipps wäre ich sehr dankbar."),
    # first-person "how do I get/fix …?", "was kann ich tun?": asks how to solve a problem of one's own
    ("de", "support", "Abo doppelt abgebucht", "Mein Fitnessstudio hat den Monatsbeitrag zweimal abgebucht und "
     "antwortet nicht auf Mails. Wie bekomme ich mein Geld zurück?"),
    ("de", "support", "", "Der Router verliert jede Nacht die Verbindung, der Anbieter sagt, bei ihm sei alles in Ordnung. "
     "Was kann ich jetzt noch tun?"),
    ("en", "support", "Outlook crashes on start", "Since yesterday Outlook closes right after it opens, safe mode too. "
     "How do I fix this without losing my mails?"),
    # a title that asks without a question mark
    ("en", "recommendation", "Can anyone recommend an open source MQTT broker with persistence", ""),
    ("en", "recommendation", "Recommendation for a note-taking app that works offline", ""),
    ("de", "recommendation", "Empfehlung gesucht: Steuerberater für Freiberufler in Stuttgart", ""),
    ("de", "support", "Brauche Hilfe bei der Steuererklärung", "Ich bin seit diesem Jahr selbstständig und verstehe die Formulare nicht."),
    ("de", "experience", "Buchhaltung als Freiberufler", "Hat jemand von euch schon Erfahrungen gemacht mit lexoffice?"),
    # the singular: "eine Empfehlung", "jede Antwort"
    ("de", "recommendation", "Steuerberater", "Hat jemand eine Empfehlung für einen Steuerberater in Stuttgart?"),
    ("de", "support", "Drucker streikt", "Der Drucker im Büro druckt nur leere Seiten. Ich bin dankbar für jede Antwort."),
    # "Kennt jemand einen …?" (a provider, no adjective), the forum's short "Jemand eine Empfehlung?",
    # "Was nutzt ihr so?", "What do you guys use?", "Does anyone know a fix?"
    ("de", "recommendation", "Dachdecker", "Bei uns regnet es durch. Kennt jemand einen Dachdecker in Leipzig?"),
    ("de", "recommendation", "Steuerberater für Freiberufler in Stuttgart", "Jemand eine Empfehlung?"),
    ("de", "recommendation", "Buchhaltung", "Wir machen noch alles in Excel und es wird zu viel. Was nutzt ihr so?"),
    ("en", "recommendation", "CRM for a small sales team", "We are still on spreadsheets and it gets messy. What do you guys use?"),
    ("en", "support", "Deleted Snapchat messages", "I deleted some Snapchat messages by mistake. Is there anyway to get them back?"),
    ("en", "support", "Locked out", "I forgot the password of our office PC. Is there any legitimate way to reset it without reinstalling?"),
    ("en", "support", "Wifi drops every hour", "My laptop drops the wifi every hour, drivers are new. Does anyone know a fix?"),
    # a customer's question what a product or service allows
    ("de", "support", "Ticket umtauschen", "Ich habe gestern ein Ticket für das falsche Netz gekauft. Kann man das Ticket einfach umtauschen?"),
    ("de", "support", "Zugbindung", "Mein Anschluss fällt aus. Ist es möglich, die Zugbindung für morgen aufzuheben?"),
    ("de", "support", "Fernbus nach Prag", "Wie kann ich den IC-Bus von Nürnberg nach Prag buchen? In der Suche taucht er nicht auf."),
    ("de", "support", "BahnCard gebrochen", "Meine BahnCard ist in der Mitte gebrochen. Ist sie noch gültig?"),
    # an offer's phrase in a question asks for the thing ("Hat jemand … übrig/abzugeben?")
    ("de", "supplier", "Gutschein gesucht", "Hallo zusammen, hat jemand noch einen Lufthansa-Gutschein übrig, den er nicht braucht?"),
    ("de", "supplier", "Sofa", "Wir ziehen nächste Woche ein. Hat jemand ein Sofa zu verschenken?"),
    # a weak offer or job word ("free", "kostenlos", "brake job") does not rule a form out; only an
    # advert's or an offer's own phrases do ("(m/w/d)", "for sale", "verkaufe")
    ("en", "recommendation", "Is there a free alternative to Photoshop for a small design studio?", ""),
    ("de", "recommendation", "Fotobearbeitung", "Kennt jemand ein gutes Programm für Fotobearbeitung? Gerne auch kostenlos."),
    ("en", "recommendation", "Car grinding when braking", "How much should a brake job cost? Can anyone recommend a good shop in Denver?"),
    # what is sought in the body's first sentence, under a title that only names it
    ("de", "supplier", "Elektriker für Altbau", "Hallo zusammen, wir suchen einen zuverlässigen Elektriker im Raum Stuttgart, "
     "der unsere Altbauwohnung neu verkabelt. Bezahlung nach Absprache."),
    # a German ordinal's or an abbreviation's full stop ends no sentence: the question is one sentence
    ("de", "support", "", "@DB_Bahn ist es möglich, gezielt einen Einzelplatz in der 1. Klasse im EuroCity zu buchen? "
     "Online geht es nur für ICEs."),
    ("de", "support", "Sitzplatz", "Ist es möglich, am 3. Oktober z.B. noch einen Platz im ICE zu reservieren?"),
    # polite requests stated with "wondering"/"curious"
    ("en", "support", "", "I'm looking to overclock my 1050ti and I was wondering if any of you guys could share your "
     "MSI Afterburner settings with me. Thanks in advance"),
    ("en", "support", "Forgot my phone password", "I can only get in with Touch ID. I was curious if there is a way to reset "
     "it without losing my photos."),
    # the forum's usual ways to ask about one's own problem or for a provider
    ("de", "support", "WLAN bricht ab", "Unser WLAN im Büro bricht ständig ab, der Router ist neu. Woran kann das liegen?"),
    ("de", "support", "Heizung klopft", "Unsere Heizung klopft seit dem Winter laut. Weiß jemand, wie man das wegbekommt?"),
    ("de", "support", "Excel", "Kennt sich hier jemand mit Excel-Makros aus? Unsere Vorlage rechnet falsch."),
    ("de", "supplier", "Bad fliesen", "Wir brauchen jemanden, der uns im Februar das Bad fliest. Meldet euch gerne per PN."),
    ("de", "recommendation", "Kaufberatung Waschmaschine", "Unsere alte Maschine ist kaputt. Worauf sollte man beim Kauf achten?"),
    ("de", "recommendation", "Versicherung", "Wir gründen gerade. Welche Haftpflichtversicherung habt ihr?"),
    ("en", "support", "Wifi keeps dropping", "Our office wifi keeps dropping, the router is new. What could be causing this?"),
    ("en", "support", "Monitor stays black", "Everything in my PC runs but the monitor won't turn on. Any idea what I can do?"),
    ("en", "support", "Heater noise", "Our heater has been knocking loudly since winter. Has anyone else had this problem?"),
    ("en", "recommendation", "Moving", "We're moving in March. Which moving company did you use and were you happy?"),
    ("de", "support", "Formular", "Ich verstehe das Formular vom Finanzamt nicht. Könnt ihr mir bitte helfen?"),
    ("de", "support", "Elterngeld", "Kann mir jemand sagen, wo man in Stuttgart das Elterngeld beantragt?"),
    ("en", "support", "Jittery video", "Every video plays like an old cartoon. Can anyone tell me if there's a setting I need to change?"),
    # a customer's own problem and the step to take, whether a professional is needed, what one costs
    ("de", "supplier", "Steuerberater für kleinen Etsy-Shop", "Mein Shop hat dieses Jahr 30.000 Euro Umsatz gemacht und ich "
     "blicke bei der Steuer nicht durch. Brauche ich einen Steuerberater oder geht das mit einer Software?"),
    ("de", "supplier", "Boiler tropft", "Unser Boiler tropft seit gestern unten raus. Was nimmt ein Installateur dafür ungefähr?"),
    ("de", "comparison", "Waschmaschine kaputt", "Die Trommel dreht sich nicht mehr, sie ist zehn Jahre alt. Reparieren oder gleich neu?"),
    ("de", "support", "Schimmel im Bad", "An der Decke im Bad ist schwarzer Schimmel, Chlor hilft nicht. Wie werde ich den dauerhaft los?"),
    ("de", "support", "Vermieter behält Kaution", "Der Vermieter zahlt die Kaution seit zwei Monaten nicht zurück. Welche Möglichkeiten habe ich?"),
    ("de", "support", "Motorkontrollleuchte", "Gestern Ölwechsel, heute leuchtet die Motorkontrollleuchte. Soll ich nochmal in die Werkstatt?"),
    ("en", "supplier", "Accountant for a small Etsy shop", "My shop made about 30k this year and I'm lost with taxes. "
     "Do I need an accountant or can I do it myself with software?"),
    ("en", "supplier", "Water heater leaking", "Our water heater started leaking from the bottom. What does a plumber usually charge for that?"),
    ("en", "comparison", "Dishwasher", "The pump of our 9 year old dishwasher died. Is it worth repairing at that age?"),
    ("en", "support", "Landlord keeping deposit", "I moved out two months ago and my landlord still has my deposit. What are my options here?"),
    ("en", "support", "Check engine light after oil change", "The light came on the morning after an oil change. "
     "Should I take it back to the shop?"),
    # what a small firm asks its peers: a choice, how they do it, what it costs, whom to call
    ("de", "comparison", "Buchhaltungssoftware für GmbH", "Wir sind 12 Leute und wollen von Excel weg. Lexoffice, sevDesk oder was ganz anderes?"),
    ("de", "experience", "IT-Betreuung", "Unser Büro hat keinen Admin mehr. Wie macht ihr das bei euch, extern vergeben?"),
    ("de", "experience", "E-Rechnung", "Unsere Warenwirtschaft kann keine E-Rechnungen empfangen. Wie habt ihr das gelöst?"),
    ("de", "supplier", "Bad sanieren", "Wir wollen nächstes Jahr das Bad komplett sanieren, ca. 8 qm. Mit welchen Kosten muss man rechnen?"),
    ("de", "supplier", "Dach undicht", "Seit dem Sturm tropft es im Dachboden, die Versicherung will ein Gutachten. Wen ruft man da an?"),
    ("en", "comparison", "Accounting software", "We're a 12 person agency and outgrew spreadsheets. QuickBooks or Xero or something else?"),
    ("en", "experience", "Managed IT", "Our office lost its IT guy. How do you handle IT in your small business, do you outsource it?"),
    ("en", "supplier", "Bathroom remodel", "We want to redo our 80 sq ft bathroom next year. What kind of budget should we expect?"),
    ("en", "supplier", "Roof leak", "Since the storm there's water in the attic and insurance wants an inspection. Who do you even call for that?"),
    ("de", "supplier", "Netzwerk im Neubau", "Wir ziehen mit der Kanzlei um und brauchen WLAN und Telefonanlage. Macht sowas jemand hier aus der Region?"),
    ("de", "supplier", "Wallbox", "Wir bräuchten jemanden, der uns in Esslingen eine Wallbox installiert."),
    ("de", "recommendation", "Microsoft 365", "Welche Microsoft-365-Lizenz braucht man für 10 Arbeitsplätze mit Teams?"),
    ("de", "recommendation", "Zeiterfassung", "Wir müssen jetzt die Arbeitszeit erfassen. Was ist da empfehlenswert für einen kleinen Betrieb?"),
    ("de", "recommendation", "Heizung tauschen", "Unsere Ölheizung ist 25 Jahre alt. Wärmepumpe im Altbau, macht das überhaupt Sinn?"),
    ("de", "experience", "Backup", "Wie sichert ihr eure Daten in der Firma? Wir haben nur eine externe Festplatte."),
    ("en", "recommendation", "Microsoft 365", "Which Microsoft 365 license do we need for 10 seats with Teams?"),
    ("en", "recommendation", "Time tracking", "We now have to track working hours. What's a good option for a small business?"),
    ("en", "recommendation", "Heat pump", "Our oil furnace is 25 years old. Does a heat pump even make sense in an old house?"),
    ("en", "experience", "Backups", "How do you back up your company data? We only have an external drive."),
    ("de", "support", "Drucker im Netzwerk", "Seit dem Update findet kein Rechner mehr den Drucker. Treiber neu installiert. Jemand eine Idee?"),
    ("en", "support", "Printer gone", "Since the Windows update none of our PCs can find the network printer. Reinstalled drivers, no luck. Ideas?"),
    ("en", "recommendation", "POS for a cafe", "We're opening a small cafe in spring. What POS system would you go with?"),
    ("de", "comparison", "CRM gesucht", "Wir sind ein Vertriebsteam mit 6 Leuten. Pipedrive, HubSpot, etwas anderes?"),
    ("en", "comparison", "CRM wanted", "We're a sales team of 6. Pipedrive, HubSpot, something else?"),
    ("de", "support", "Förderung", "Gibt es für kleine Betriebe noch Förderungen für Digitalisierung? Kennt sich da jemand aus?"),
    ("de", "supplier", "Datenschutz", "Ab wie vielen Mitarbeitern braucht man einen Datenschutzbeauftragten? Wir sind 22."),
    ("de", "support", "Fahrrad geklaut", "Mir wurde heute am Bahnhof das Fahrrad geklaut. Zahlt da die Hausratversicherung?"),
    ("en", "support", "Bike stolen", "My bike was stolen at the train station today. Would renters insurance cover that?"),
    ("de", "recommendation", "Laptop fürs Studium", "Ich fange im Oktober an. Welcher Laptop ist für das Studium sinnvoll?"),
    ("en", "recommendation", "Laptop for college", "Starting computer science in the fall. Which laptop makes sense for around $1000?"),
    ("de", "supplier", "Nebenkosten", "Unsere Nebenkostenabrechnung ist doppelt so hoch. Wie kann man die prüfen lassen?"),
    ("de", "recommendation", "Kaffeevollautomat", "Unsere Jura macht nur noch Wasser. Gibt es hier eine gute Werkstatt?"),
    ("en", "recommendation", "Espresso machine", "Our espresso machine only makes hot water now. Is there a good repair shop around here?"),
    ("de", "recommendation", "Umzug nach Hamburg", "Wir ziehen im Mai nach Hamburg. Welche Umzugsfirma war bei euch zuverlässig?"),
    ("en", "recommendation", "Movers", "We're moving to Denver in May. Which moving company was reliable for you?"),
    ("de", "supplier", "Reifenwechsel", "Die Werkstatt um die Ecke will 80 Euro. Wo lasst ihr eure Reifen wechseln?"),
    ("en", "supplier", "Tire change", "The shop around the corner wants $80 to change tires. Where do you guys go?"),
    ("de", "supplier", "Pizza", "Bin neu hier. Wo gibt es die beste Pizza in Stuttgart?"),
    ("en", "supplier", "Pizza", "New here. Where's the best pizza in town?"),
    ("de", "support", "Kita", "Weiß jemand, ob es in Stuttgart-Ost noch freie Kita-Plätze gibt?"),
    ("en", "recommendation", "Music at work", "Phones are not allowed on the floor. To get around this, I'm looking for a "
     "smartwatch that plays music on its own, budget about $200."),
    ("de", "recommendation", "Passwortmanager", "Welchen Passwortmanager nutzt ihr in der Familie? Bitwarden oder 1Password?"),
    ("en", "recommendation", "Password manager", "Which password manager do you use as a family? Bitwarden or 1Password?"),
    ("de", "recommendation", "Glasfaser", "Wir bekommen Glasfaser. Reicht die Fritzbox 7530 noch oder brauche ich eine neue?"),
    ("de", "support", "Ärger mit dem Anbieter", "Seit drei Wochen kein Internet, die Hotline vertröstet uns. Was kann man da machen?"),
    ("en", "support", "No internet", "No internet for three weeks and support keeps stalling. What can you even do in this situation?"),
    # local services in a city forum
    ("de", "recommendation", "Frühstück", "Wo kann man in Stuttgart am Wochenende schön frühstücken?"),
    ("de", "recommendation", "Locken", "Welcher Friseur in Stuttgart kann mit Locken umgehen?"),
    ("de", "recommendation", "Schneider", "Meine Jacke hat einen Riss. Wer macht in Stuttgart gute Änderungen?"),
    ("de", "comparison", "Steuererklärung", "Lohnsteuerhilfeverein oder Steuerberater? Was ist für Angestellte mit Vermietung sinnvoller?"),
    ("en", "recommendation", "Brunch", "Where's a nice place for brunch on weekends?"),
    ("en", "recommendation", "Tailor", "My favorite jacket has a tear. Who does good alterations around here?"),
    ("en", "recommendation", "Emergency vet", "Our dog ate something. Which vet has an emergency service today?"),
    ("en", "supplier", "Handyman", "We have a few small jobs in the apartment. Who do you hire for that kind of thing?"),
    # advice on one's own decision
    ("de", "support", "Erbschaft", "Wir haben ein Haus geerbt, zu dritt. Einer will verkaufen, zwei nicht. Wie würdet ihr vorgehen?"),
    ("de", "support", "Jobangebot", "Mehr Gehalt oder Homeoffice. Was würdet ihr an meiner Stelle tun?"),
    ("en", "support", "Job offers", "More salary or remote work. What would you do in my situation?"),
    ("de", "recommendation", "Bausparvertrag", "Ist es sinnvoll, jetzt noch einen Bausparvertrag abzuschließen?"),
    ("de", "recommendation", "Tagesgeld", "Tagesgeld bei der Hausbank oder bei einer Direktbank? Was ist eure Empfehlung?"),
    ("de", "support", "Ratenkredit", "Bin ich verpflichtet, die Restschuldversicherung abzuschließen, wenn die Bank das verlangt?"),
    ("de", "support", "Gehalt kommt zu spät", "Ich bräuchte mal euren Rat: Mein Arbeitgeber zahlt das Gehalt seit zwei Monaten zu spät."),
    ("de", "support", "Grundsteuer", "Könnte mir jemand erklären, wie die Grundsteuer ab 2025 berechnet wird?"),
    ("de", "support", "Spülmaschine", "Meine Spülmaschine pumpt nicht ab, Sieb ist sauber. Noch jemand eine Idee, bevor ich den Kundendienst rufe?"),
    ("de", "recommendation", "Handy für Oma", "Welches Handy würdet ihr für meine Oma kaufen? Sie braucht große Tasten."),
    ("de", "supplier", "Italiener", "Bin auf der Suche nach einem guten Italiener in Bad Cannstatt."),
    ("de", "support", "Hautarzt", "Wie bekommt man in Stuttgart schnell einen Termin beim Hautarzt?"),
    ("de", "support", "Nebenkosten senken", "Könnt ihr mir einen Tipp geben, wie ich meine Nebenkosten senken kann?"),
    ("de", "supplier", "Dach", "Unser Dach müsste mal gemacht werden. Wie findet man einen seriösen Dachdecker?"),
    ("en", "support", "Damp basement", "Our basement is damp after the rain. Anyone have advice on what we can do?"),
    ("en", "support", "Property tax", "Could someone explain how property tax is calculated here?"),
    ("en", "supplier", "Caregiver", "I need to find a caregiver for my mom a few hours a day. How do you even find someone like that?"),
    ("en", "support", "Dermatologist", "How do you get a dermatologist appointment quickly around here?"),
    ("en", "support", "Utility bills", "Can you give me some tips on lowering my utility bills?"),
    ("en", "supplier", "Roof", "Our roof needs work. How do you find a roofer you can trust?"),
    ("de", "recommendation", "", "Empfehlungen für einen guten Inder in Leipzig?"),
    ("de", "recommendation", "", "Bester Internetanbieter in München? Vodafone fällt ständig aus."),
    ("en", "recommendation", "", "Best broadband provider in Manchester? Virgin keeps dropping out."),
    ("de", "support", "", "Ist es normal, dass der Vermieter 200 Euro für die Endreinigung verlangt?"),
    ("en", "support", "", "Is it normal for a landlord to charge £200 for a professional clean when moving out?"),
    ("de", "supplier", "", "Was nimmt eine Putzfrau heutzutage so pro Stunde?"),
    ("en", "supplier", "", "What's the going rate for a cleaner these days?"),
    ("de", "recommendation", "Newsletter-Tool", "Wir wollen weg von Mailchimp. Was nutzt man da heutzutage?"),
    ("en", "recommendation", "Newsletter tool", "Want to switch from Mailchimp. What are people using these days?"),
    ("en", "support", "Laptop stolen", "My company laptop got stolen from my car. What do I need to do now, besides calling the police?"),
    ("en", "supplier", "Virtual assistant", "Thinking of hiring a virtual assistant. Where do you find good ones?"),
    ("en", "comparison", "Reception PC", "Trying to decide between a Mac mini and a NUC for our reception PC. Opinions?"),
    ("de", "comparison", "Empfangs-PC", "Ich kann mich nicht entscheiden zwischen einem Mac mini und einem NUC für den Empfang."),
    ("de", "supplier", "Mitarbeiterbeteiligung", "Wir sind ein Startup mit 5 Leuten. Brauchen wir für die Mitarbeiterbeteiligung "
     "einen Anwalt oder gibt es Vorlagen?"),
    ("de", "recommendation", "CRM", "Welches CRM lässt sich am besten mit Outlook verbinden, für ein Team mit 10 Leuten?"),
    ("de", "support", "PowerPoint stürzt ab", "Ich muss bis Freitag eine Präsentation fertig machen und PowerPoint stürzt ständig ab. Dringend Hilfe!"),
    ("en", "support", "Blue screens", "I get all kinds of BSODs since the update and I tried a factory reset. Please help"),
    ("en", "experience", "Heat pumps", "Who has experience with heat pumps in a townhouse?"),
    ("de", "experience", "Wärmepumpe", "Wer hat Erfahrung mit Wärmepumpen im Reihenhaus?"),
    ("en", "comparison", "Slow website", "Our website is painfully slow and the support does not answer. Worth switching hosts?"),
    ("en", "recommendation", "", "English-speaking GP in Stuttgart? My German is not good enough for medical stuff yet."),
    ("de", "recommendation", "", "Englischsprachiger Hausarzt in Stuttgart? Mein Freund spricht noch kaum Deutsch."),
    ("en", "supplier", "Peanut butter", "Is there a place that sells American style peanut butter around here?"),
    ("de", "supplier", "Erdnussbutter", "Gibt es hier einen Laden, der amerikanische Erdnussbutter verkauft?"),
    ("de", "supplier", "", "Ich such nen zuverlässigen Umzugshelfer für nächsten Samstag, 3 Stunden, zahle gut"),
    ("de", "recommendation", "Strom", "Welcher Stromanbieter ist gerade am günstigsten? Meiner will 40 Cent."),
    ("en", "supplier", "", "need someone to help me move a couch next saturday, 2 hours, will pay"),
    ("en", "recommendation", "Phone plan", "what's the cheapest phone plan right now? mine wants $60"),
    ("en", "recommendation", "", "Recs for a family-friendly hotel in Munich? Traveling with two kids in July."),
    ("de", "comparison", "Abmahnung", "Ich habe eine Abmahnung wegen eines Fotos bekommen, 1.500 Euro. Zahlen oder Anwalt?"),
    ("en", "comparison", "Copyright letter", "Got a letter over a photo on our website demanding $1,500. Pay or get a lawyer?"),
    ("de", "experience", "Tesla", "Welche Erfahrungen habt ihr mit Tesla-Werkstätten gemacht?"),
    ("en", "experience", "Tesla", "What has your experience been with Tesla service centers?"),
    ("de", "supplier", "Videokassetten", "Gibt es in Stuttgart jemanden, der alte Videokassetten digitalisiert?"),
    ("en", "supplier", "VHS", "Is there anyone in Austin who digitizes old VHS tapes?"),
    ("de", "supplier", "Zahnriemen", "Wie teuer ist ungefähr ein neuer Zahnriemen beim Golf 7?"),
    ("en", "supplier", "Timing belt", "How much is a timing belt replacement on a 2015 Golf roughly?"),
    ("en", "support", "ER bill", "Got a $400 bill from the ER even though I have insurance. Is this something I can dispute?"),
    ("en", "support", "HOA fine", "Our HOA is fining us for a shed that was approved 3 years ago. Where do we even start?"),
    ("en", "support", "Rear-ended", "Got rear-ended yesterday, the other driver's insurance is ignoring my calls. Next steps?"),
    ("en", "recommendation", "Boundary dispute", "Anyone recommend a decent solicitor for a boundary dispute? Neighbour moved the fence."),
    ("en", "support", "Bathroom", "Tradesman did a terrible job on our bathroom and won't come back. What are our rights here?"),
    ("en", "recommendation", "Energy", "Which energy supplier are you all with? Mine's gone up again."),
    ("de", "support", "Buchhaltung", "Ich mache mich selbstständig und habe keine Ahnung von Buchhaltung. Wo fange ich am besten an?"),
    # the computer-help forum's pleas, often without a question mark
    ("de", "support", "Treiber", "Nach dem Update startet die Grafikkarte nicht mehr. Hoffe jemand kann mir da helfen. Vielen Dank im voraus!"),
    ("de", "support", "PopUps", "Ein Trojaner öffnet ständig PopUps, auch wenn die Seiten geblockt werden. Ich hoffe auf baldige Hilfe!"),
    ("de", "support", "Lüfter", "Der Lüfter dreht ständig hoch, Virenscanner findet nichts. Kann mir da vieleicht jemand helfen. Gruß Micha"),
    ("de", "support", "Datei", "Ich kann die Datei weder mit Avira noch selbst löschen. Nun brauche ich wieder mal eure Hilfe"),
    ("de", "support", "Ruckeln", "Egal was ich mache, der PC stockt. So ich bitte um eure Hilfe und zahlreiche Antworten."),
    ("de", "support", "Trojaner", "Das Programm findet den Trojaner nicht. Wer kann mir sagen wie ich diesen Trojaner löschen kann?"),
    ("de", "support", "Brenner", "Für ein Firmwareupdate sollte der Brenner auf Master laufen, was macht man da? Danke"),
    ("de", "support", "Abgesicherter Modus", "Tool installiert, abgesicherter Modus geht aber nicht. Was nun? Danke für die Antwort!"),
    ("de", "support", "Hitze", "Im Sommer stürzt der PC beim Spielen ab. Habt ihr einen Lösungsvorschlag, um den Fehler zu beheben?"),
    ("de", "support", "Platten umstecken", "Der Controller meldet Fehler. Kennt jemand das Problem? Kann ich die Platten umstecken?"),
    ("de", "support", "Neustart", "Jetzt kommt derselbe Fehler wie oben. Könnt ihr mir einen Tip geben, was ich nun tun soll?"),
    ("de", "support", "SMART", "Beim Booten kommt S.M.A.R.T. Status BAD, mit F1 fährt der PC weiter hoch. MFG (bitte um schnelle antwort)"),
    ("de", "support", "HijackThis", "Der Virenscanner meldet seit gestern Funde. Ich hoffe sehr auf Hilfe. Danke schon mal im Voraus!"),
    # a fault report: the author's own device or appliance fails (the tech-support forum's posts
    # mostly describe and do not ask), and the shortest pleas
    ("en", "support", "", "My desktop stopped displaying to the screen. I upgraded the CPU, mobo and RAM last week."),
    ("en", "support", "", "I have all the parts plugged in but my PC won't turn on. Fans spin for a second, then nothing."),
    ("en", "support", "", "At 2:20 am every day the internet cuts out for a few minutes and I have no clue what could be causing it."),
    ("en", "support", "", "I have random fps drops in every game and i have no idea why. Got an fx 8350 and 16gb ram."),
    ("en", "support", "Boiler", "My boiler keeps shutting off every couple of hours, the pressure looks fine."),
    ("en", "support", "", "Newegg keeps telling me that my cvv2 code doesn't work. Idk if it's my debit card. Pls help"),
    ("en", "support", "", "Need help bad. The laptop shows a black screen after the BIOS update."),
    ("de", "support", "", "Mein Laptop startet seit dem Update nicht mehr, die Lampe blinkt nur orange."),
    ("de", "support", "Therme", "Meine Gastherme zeigt seit heute früh keine Flamme mehr, Störung F28."),
    ("de", "support", "Absturz", "Mein Rechner stürzt beim Spielen ständig ab, die Temperaturen sind normal."),
    ("de", "support", "Drucker", "Der Treiber ist neu installiert, trotzdem druckt mein Drucker nur noch leere Seiten."),
    ("de", "support", "WLAN", "Seit gestern verbindet sich mein Handy nicht mehr mit dem WLAN und ich habe keine Ahnung, woran das liegt."),
    ("en", "support", "Laptop won't turn on after BIOS update", "Updated the BIOS yesterday, now nothing. I tried another charger."),
    ("en", "support", "PC randomly restarting while gaming", "It happens every 20 minutes or so, temps look fine to me."),
    ("de", "support", "PC startet nicht mehr nach Stromausfall", "Seit dem Gewitter gestern bleibt der Bildschirm schwarz, ich komme nicht ins BIOS."),
    ("de", "support", "Waschmaschine pumpt nicht ab", "Unsere Bosch ist vier Jahre alt, das Flusensieb habe ich schon gereinigt."),
    ("de", "support", "Externe Festplatte wird nicht mehr erkannt", "Ich habe sie gestern noch benutzt, heute zeigt Windows nichts an."),
    # what software exists for a task (the softwarerecs titles)
    ("en", "recommendation", "Is there a cross-platform C library for terminal input with filtering?", ""),
    ("en", "recommendation", "Are there any free computer apps to manage an auto parts store?", ""),
    ("en", "recommendation", "Does a 3rd-party batch shell exist?", ""),
    ("en", "recommendation", "What is a good free Win 11 program to write to DVD?", ""),
    ("en", "recommendation", "What are some good libraries for task queueing that provide a dashboard?", ""),
    ("de", "recommendation", "Was ist ein gutes Programm für die Buchhaltung?", ""),
    ("de", "recommendation", "Kanban", "Gibt es sowas wie Trello, nur auf Deutsch und DSGVO-konform?"),
    ("de", "recommendation", "PDF", "Existiert ein kostenloses Tool, das mehrere PDFs zu einer Datei zusammenfügt?"),
    # a small firm's buying questions
    ("de", "recommendation", "Kassensystem für Café", "Ich eröffne im Frühjahr ein kleines Café. Welches Kassensystem ist GoBD-konform und nicht zu teuer?"),
    ("de", "experience", "ERP für Großhandel", "Wir evaluieren gerade ein ERP-System (35 Mitarbeiter). Hat jemand Vergleichswerte zu Kosten und Einführungsdauer?"),
    ("de", "supplier", "Webseite", "Was kostet ungefähr eine einfache Webseite für einen Handwerksbetrieb, wenn man sie machen lässt?"),
    ("de", "supplier", "Dachrinne", "Bei uns tropft es an der Dachrinne. Muss da ein Dachdecker ran oder kann ich das selbst abdichten?"),
    ("de", "supplier", "Fenster von 1985", "Lohnt sich der Austausch und mit welchen Kosten muss man für ein Einfamilienhaus rechnen?"),
    ("de", "recommendation", "Backup", "Wir sichern auf eine externe Festplatte. Was nehmt ihr für Backups in einer kleinen Kanzlei?"),
    # (asks which to choose: a recommendation)
    ("de", "recommendation", "Buchhaltung", "Der Steuerberater rät zu DATEV oder Lexoffice. Womit habt ihr gute Erfahrungen gemacht?"),
    ("de", "supplier", "Server im Keller", "Unser Server ist 9 Jahre alt. Wer kann uns da beraten?"),
    ("en", "recommendation", "POS for a cafe", "Opening a small cafe in spring. Which POS system is reliable and not too expensive?"),
    ("en", "experience", "ERP", "We're evaluating an ERP for our wholesale business. Does anyone have ballpark numbers on cost and rollout time?"),
    ("en", "supplier", "Website cost", "Roughly how much does it cost to have a simple website built for a plumbing business?"),
    # software asked for by kind (the softwarerecs titles)
    ("en", "recommendation", "What software can I use to control a Raspberry Pi from Windows?", ""),
    ("en", "recommendation", "What's the best minimal CSS framework?", ""),
    ("en", "recommendation", "Looking for GPT prompt management tools", ""),
    ("en", "recommendation", "Any good alternatives to Google Apps for work?", ""),
    ("en", "recommendation", "i need a free/cheap hosting or cloud service that has ffmpeg for a twitter bot", ""),
    # thanks for help to come, "I don't know why"
    ("en", "support", "", "The launcher has been downloading for 10 hours and is only at 40%. Any help or advice is appreciated!"),
    ("en", "support", "", "The fan spins up every few minutes even when the PC is idle. I would super appreciate any help."),
    ("en", "support", "", "Can someone please help  I use streamlabs and my stream lags even though my upload is 25mb"),
    ("en", "support", "", "I literally can't turn on my PC without unplugging my keyboard first and I don't know why this is happening."),
    ("de", "support", "", "Seit dem Update ruckelt jedes Spiel, ich weiß nicht, woran es liegt."),
    ("en", "support", "", "No idea where to post this so I hope someone can point me in the right direction: our hotline gets spoofed calls."),
    ("en", "support", "", "I was hoping somebody could explain why my new RAM only runs at 2133 instead of 3200."),
    ("en", "support", "", "Since the BIOS update my PC is stuck in a boot loop, so I was hoping to get some help with that."),
    ("en", "support", "", "My preview screen in OBS freezes while I am playing.pls help thanks"),
    ("en", "support", "", "My WiFi randomly drops out until I turn it off and on."),
    ("de", "support", "Belege", "Wir stellen die Buchhaltung auf digitale Belege um und kommen mit dem Scanner nicht klar. Über Tipps würde ich mich sehr freuen."),
    # a quote to check, a contract to get out of, what now
    ("de", "supplier", "Inspektion", "Die Werkstatt will 680 Euro für die große Inspektion beim Polo. Ist dieser Preis normal?"),
    ("en", "supplier", "Brake job", "The shop quoted $400 for pads and rotors. Is that a fair price?"),
    ("de", "support", "Heizkosten", "Die Nachzahlung ist dreimal so hoch wie letztes Jahr. Kann ich die Heizkostenabrechnung anfechten?"),
    ("de", "support", "Router", "Wie finde ich heraus, welcher Router zu meinem Anschluss passt?"),
    ("en", "support", "Gym", "They keep charging me after I moved away. Can I cancel my membership early?"),
    ("en", "support", "Phone in water", "Dropped my phone in the lake, what now?"),
    ("de", "comparison", "E-Bike", "Lohnt sich ein E-Bike für den Arbeitsweg von 12 km? Bin unsicher wegen der Kosten."),
    ("en", "comparison", "Roth IRA", "Thoughts on Fidelity vs Vanguard for a Roth IRA?"),
    ("de", "experience", "Check24", "Was haltet ihr von Check24 für die Kfz-Versicherung?"),
    ("de", "support", "Selbstständig", "Ich will mich als Fotograf selbstständig machen. Was muss ich beachten?"),
    ("en", "support", "Photography business", "Starting a photography business next year, what do I need to know?"),
    ("de", "support", "PKV", "Kann mir jemand sagen, ob sich ein Wechsel in die PKV mit 35 noch lohnt?"),
    ("de", "recommendation", "Zahnarzt", "Hat jemand einen guten Zahnarzt in Berlin-Mitte, der auch Angstpatienten nimmt?"),
    ("en", "supplier", "Roof quote", "Got a quote of 18k for a full roof replacement on a 1,800 sq ft ranch. Does that sound right?"),
    ("de", "supplier", "Dach", "Der Dachdecker verlangt 18.000 Euro fürs neue Dach, 120 qm. Ist das normal?"),
    ("en", "comparison", "Water heater", "Our water heater is 14 years old and making popping noises. Replace now or wait until it dies?"),
    ("de", "comparison", "Therme", "Die Therme ist 20 Jahre alt und läuft noch. Jetzt tauschen oder warten, bis sie kaputt ist?"),
    ("en", "supplier", "Managed IT provider", "How do you vet an MSP? We got three quotes and they're all over the place."),
    # (advice on one's own decision is support, like "What would you do in my situation?")
    ("en", "support", "Bookkeeper", "Revenue is about 200k a year. At what point did you hire a bookkeeper instead of doing it yourself?"),
    # a guide the asker followed does not make the post a teaser
    ("en", "support", "VPN fails after update", "I followed this guide from the vendor step by step and the VPN still drops. "
     "Any idea what I can do?"),
    # a firm asks its peers for their tools, who knows a field, whether a product makes sense
    ("de", "recommendation", "Frage an die Experten: Buchhaltungssoftware", "Moin zusammen, wir sind ein kleiner Malerbetrieb "
     "mit 6 Leuten und machen die Buchhaltung noch mit Excel. Das wird langsam zu viel. Womit arbeitet ihr so?"),
    ("de", "support", "Wer hat Ahnung von Netzwerken?", "Servus, in unserem Büro fällt ständig das WLAN aus, vor allem im "
     "Besprechungsraum. Router ist eine Fritzbox 7590."),
    ("de", "comparison", "DATEV vs. Lexware für kleine GmbH", "Wir gründen gerade eine GmbH mit zwei Gesellschaftern. "
     "Der Steuerberater arbeitet mit DATEV. Macht Lexware trotzdem Sinn?"),
    ("de", "support", "Heizung macht Geräusche", "Unsere Gastherme klackert seit ein paar Tagen laut beim Anspringen. "
     "Ist das gefährlich oder kann das warten bis zur Wartung im Frühjahr?"),
    ("de", "support", "Server im Keller – noch zeitgemäß?", "Wir haben noch einen eigenen Server für die Dateiablage. Der "
     "Dienstleister will jetzt 8.000 € für einen neuen. Würdet ihr das machen oder in die Cloud gehen?"),
    ("de", "supplier", "Backup-Lösung gesucht", "Für unsere Praxis (3 PCs, ein NAS) suchen wir eine vernünftige "
     "Backup-Lösung, die auch DSGVO-konform ist."),
    ("de", "support", "", "Seit dem Update synchronisiert unser Outlook keine Termine mehr mit dem Handy."),
    ("en", "comparison", "", "Our bookkeeper just quit. Is it better to hire a new one or outsource to a firm? We're about 2M in revenue."),
    ("en", "support", "Outlook not syncing calendar", "Since the last update my Outlook calendar doesn't sync to my phone "
     "anymore. Removed and re-added the account, same thing."),
    ("en", "support", "Furnace making a loud banging noise", "Started yesterday when the heat kicks on. Should I be worried "
     "or can it wait for the annual service?"),
    ("en", "support", "How do you handle payroll for 3 employees?", "Just hired my first employees and I'm lost. Gusto? "
     "ADP? An accountant?"),
    # a tax or data-protection question, the easiest of a list, special software, a purpose's hardware
    ("de", "support", "", "Kann man bei einem Gewerbe die Kosten für den Laptop absetzen, wenn man ihn auch privat nutzt?"),
    ("de", "recommendation", "Homepage-Baukasten", "Ich möchte für meine Physiopraxis eine einfache Webseite erstellen. "
     "Wix, Jimdo oder WordPress – was ist für Laien am einfachsten?"),
    ("de", "support", "Datenschutz bei Kundendaten", "Wir speichern Kundendaten in Excel. Ist das überhaupt DSGVO-konform "
     "oder brauchen wir eine spezielle Software?"),
    ("en", "support", "", "Freelance designer here. Can I deduct my new laptop if I also use it for personal stuff?"),
    ("en", "support", "Client list in a spreadsheet", "We keep patient contacts in a shared Google Sheet. Is this even HIPAA compliant?"),
    ("en", "recommendation", "Home network setup for small office", "We're moving into a new office with 20 desks. What "
     "hardware would you get for wifi and switching? Budget around $5k."),
    ("en", "support", "Laptop overheating and shutting down", "Dell XPS 15, happens when I run Teams and Chrome at the same "
     "time. Cleaned the fans already."),
    ("en", "comparison", "Shopify vs WooCommerce for a small shop", "Selling handmade candles, about 30 orders a month. "
     "Which one would you pick?"),
    ("de", "recommendation", "", "Wir haben einen kleinen Onlineshop und die Buchhaltung frisst jeden Monat zwei Tage. Gibt es "
     "Tools, die Shopify direkt mit der Buchhaltung verbinden?"),
    ("de", "support", "", "Unser Azubi hat aus Versehen den Ordner mit allen Angeboten gelöscht. Papierkorb ist leer. Gibt es "
     "eine Chance, die Daten wiederherzustellen?"),
    ("en", "support", "Email going to spam", "All emails from our domain land in customers' spam folders since last week. "
     "We use Google Workspace. SPF is set. What am I missing?"),
    ("en", "supplier", "", "Any electricians in Leeds who do EV charger installs? Need one at our shop, quote welcome."),
    ("de", "supplier", "", "Brauche dringend jemanden, der heute noch unsere Heizung anschaut, Raum Böblingen. Fällt komplett aus."),
    ("de", "recommendation", "Welche Versicherung für Fotografen?", "Mache mich gerade selbstständig als Hochzeitsfotograf. "
     "Was für Versicherungen braucht man da wirklich?"),
    ("de", "supplier", "Rechnung vom Anwalt zu hoch?", "Für ein einziges Schreiben will er 900 Euro. Ist das üblich?"),
    ("en", "supplier", "", "Our landlord is raising the rent on our shop by 40%. Is that even legal in California? Who should "
     "we talk to?"),
    ("en", "recommendation", "", "I'm a beginner PC gamer and am looking to upgrade my RX 560 to something more powerful under "
     "500$. What is the best option?"),
    ("en", "support", "", "My laptop recently broke and it has 64 GB of RAM. I would like to move the RAM to a desktop I'm going "
     "to build. Will this work?"),
    ("de", "recommendation", "Zeiterfassung", "Wir sind 12 Leute im Außendienst und schreiben Stunden noch auf Zettel. Was "
     "wäre hier die beste Lösung?"),
    # a trade's suppliers and distributors
    ("de", "supplier", "Bezugsquelle für Edelstahlschrauben", "Brauche 5000 Stück V4A M6, gibt es einen Händler in der Region "
     "Stuttgart?"),
    ("de", "recommendation", "ERP für Großhandel", "Wir sind ein Großhandel mit 25 Mitarbeitern und nutzen noch eine alte "
     "Access-Lösung. Welche ERP-Systeme kommen für uns in Frage?"),
    ("en", "supplier", "", "Who sells Ubiquiti gear in Germany with proper invoices for businesses? Amazon marketplace sellers "
     "are sketchy."),
    ("en", "supplier", "Distributor for Brother printers", "We're an MSP starting to resell printers. Which distributors do "
     "you work with in the UK?"),
    ("de", "recommendation", "", "Kann mir jemand einen guten Fliesenleger in Esslingen nennen? Bad ist ca. 8 qm."),
    ("en", "recommendation", "Cheapest way to ship 200 parcels a month from Germany?", ""),
    ("de", "recommendation", "Günstigste Möglichkeit, 200 Pakete im Monat zu verschicken?", ""),
    ("en", "support", "", "@AskAmex my business card was declined twice today even though the balance is fine."),
    ("de", "support", "", "Unsere Bestellung ist immer noch nicht angekommen, der Händler antwortet seit zwei Wochen nicht."),
    # expats in a German city, in English
    ("en", "supplier", "English speaking Hausarzt in Stuttgart?", "Just moved here for work. Any doctors who speak English "
     "and take new patients?"),
    ("en", "supplier", "Kfz-Versicherung als Expat", "I have 10 years no-claims in the UK. Which German insurers accept that?"),
    # a practice's software, a hacked website
    ("de", "recommendation", "", "Wir sind eine Zahnarztpraxis mit 5 Behandlungszimmern und suchen eine neue Praxissoftware. "
     "Womit seid ihr zufrieden?"),
    ("en", "recommendation", "Dental practice software", "5-chair practice, our current software is being discontinued. "
     "What are you happy with?"),
    ("de", "support", "", "Unsere Website wurde gehackt und leitet auf Spam-Seiten um. Wer kann sowas schnell bereinigen?"),
    ("en", "support", "Our WordPress site got hacked", "It redirects visitors to spam pages. Who can clean this up quickly "
     "and harden it?"),
    ("en", "support", "First time hiring a contractor for a kitchen remodel", "We got three bids ranging from 28k to 55k for "
     "basically the same scope. How do we compare them? What red flags should we look for?"),
    ("en", "support", "Sysadmin of one, drowning", "I'm the only IT person for a 60-person company. Tickets, onboarding, "
     "backups, security – I can't keep up. At what size did you bring in an MSP or a second hire?"),
    # a professional or a trade needed, said rather than asked; faults that lose the connection or ask
    # for the password again, or do only part of their job
    ("en", "supplier", "Need a plumber in Austin", "Water heater is leaking, landlord is useless."),
    ("en", "supplier", "", "We urgently need an electrician for our new office in Leeds, the sockets in the kitchen are dead."),
    ("de", "supplier", "Brauche dringend einen Elektriker in S-West", "Im Bad ist die Sicherung dauernd raus."),
    ("de", "supplier", "Umzug Ende März", "Hallo, wir brauchen eine Umzugsfirma für eine 3-Zimmer-Wohnung von Ulm nach Stuttgart."),
    ("en", "support", "Router keeps dropping connection", "My router keeps losing the connection since yesterday. "
     "Restarting only helps for a few minutes."),
    ("en", "support", "", "Since the update my Outlook keeps asking for my password, Office 365 on Windows 11."),
    ("en", "support", "", "My printer only prints blank pages, the cartridges are new."),
    ("de", "support", "Router", "Mein Router verliert ständig die Verbindung, Neustart hilft nur kurz."),
    ("de", "support", "", "Seit dem Update fragt mein Outlook dauernd nach dem Passwort, Office 365."),
    # a purchase asked for by naming the thing, its use and a budget, no question
    ("en", "recommendation", "Laptop for university", "I'm starting computer science in October. Budget around 800 dollars."),
    ("de", "recommendation", "Gaming-PC bis 1000 €", "Ich spiele vor allem Fortnite und will nicht mehr ausgeben."),
    ("de", "recommendation", "Kaffeemaschine fürs Büro", "Wir sind 12 Leute in unserem Büro, max. 600 Euro."),
    # a professional sought later in the body
    ("en", "recommendation", "English speaking therapist", "Moved here last year and struggling a bit. Looking for an English "
     "speaking therapist, ideally covered by TK."),
    ("de", "supplier", "Steuerberater für Kleinunternehmer", "Ich bin seit Januar selbstständig und suche einen Steuerberater, der "
     "nicht die Welt kostet."),
    # a trade or profession with "recommendation(s)"/"Empfehlung" as the title
    ("en", "recommendation", "Tax advisor recommendations for freelancers", "First year as a freelancer in Germany, completely "
     "lost with the Steuererklärung."),
    ("de", "recommendation", "Empfehlung Steuerberater Stuttgart", ""),
    ("de", "recommendation", "Zahnarzt-Empfehlung für Angstpatienten", "Ich habe seit Jahren Angst vor dem Bohren."),
    # repair or a new one
    ("en", "comparison", "E-bike battery not charging", "Bosch battery, 3 years old, the lights just blink. Repair or new battery?"),
    ("de", "comparison", "E-Bike Akku lädt nicht mehr", "Bosch Akku, 3 Jahre alt, die Lämpchen blinken nur. Reparatur oder neuer Akku?"),
    # a title naming the fault above a terse body that tells one's own case without "I"
    ("en", "support", "Printer only prints blank pages", "HP Officejet, tried new cartridges already."),
    ("en", "support", "Outlook keeps asking for password", "Office 365, Windows 11. Tried removing the credentials already."),
    ("de", "support", "Drucker druckt nur noch leere Seiten", "HP Officejet, Patronen neu, Reinigung schon versucht."),
    # a city forum's short asks for a trade or a local service
    ("de", "supplier", "Umzugshelfer gesucht", "Samstag, 3. Stock ohne Aufzug, zahle gut."),
    ("de", "supplier", "Hausarzt nimmt neue Patienten?", "Mein Hausarzt geht in Rente und alle Praxen in der Nähe sind voll."),
    ("de", "supplier", "Fahrradladen mit guter Beratung", "Möchte mir ein Gravelbike kaufen, wo werde ich gut beraten?"),
    ("de", "supplier", "Wer repariert Waschmaschinen?", "Miele, ca. 10 Jahre alt, pumpt nicht mehr ab."),
    ("en", "recommendation", "Kita with English speaking staff?", "Our son is 2 and we are moving in September."),
    # what to do about a problem; a bill to check; a thing and a price; a fault above a terse body
    ("de", "support", "Was tun bei Schimmel im Bad?", "Mietwohnung, Vermieter reagiert nicht."),
    ("de", "supplier", "Nebenkostenabrechnung viel zu hoch", "Wir sollen 1200 Euro nachzahlen, letztes Jahr waren es 200. "
     "Kann das stimmen?"),
    ("en", "supplier", "Heating bill way too high", "We are supposed to pay 1200 euros extra, last year it was 200. Can that be "
     "right?"),
    ("de", "recommendation", "Welches Handy bis 400 Euro?", "Hauptsächlich Fotos und WhatsApp."),
    ("en", "recommendation", "Phone under 400 euros?", "Mostly photos and WhatsApp."),
    ("de", "support", "PC startet nicht mehr", "Lüfter drehen kurz, dann nichts. Netzteil schon getauscht."),
    ("en", "support", "PC won't start", "Fans spin for a second then nothing. Already swapped the PSU."),
    # a small firm's choices: peers' choice, what they would set up, a provider sought, a provider to vet
    ("en", "recommendation", "Switching from QuickBooks Desktop", "We're a 12 person construction company and support for our "
     "version is ending. Has anyone made this switch recently, and what did you end up with?"),
    ("en", "recommendation", "Backup strategy for a small office", "Everything lives on one NAS in the closet. We have about 2TB "
     "of data and a budget of maybe 100 a month. What would you set up?"),
    ("de", "recommendation", "Kassensystem", "Wir haben ein Café mit 4 Mitarbeitern. Wofür habt ihr euch am Ende entschieden?"),
    ("de", "supplier", "IT-Betreuung gesucht", "Unsere Praxis (3 Ärzte, 10 MFA) sucht einen neuen IT-Dienstleister im Raum "
     "Stuttgart, der auch die Telematikinfrastruktur betreut."),
    ("de", "supplier", "Praxis-IT", "Unsere Praxis (3 Ärzte, 10 MFA) sucht einen neuen IT-Dienstleister im Raum Stuttgart."),
    ("en", "supplier", "Website redesign cost", "Got quotes between 3k and 25k for basically the same 10-page site. I have no "
     "idea how to tell which agency is legit."),
    ("de", "supplier", "Angebote für Dachsanierung", "Wir haben drei Angebote bekommen, zwischen 18.000 und 32.000 Euro für fast "
     "das Gleiche. Ich habe keine Ahnung, woran man einen seriösen Betrieb erkennt."),
    ("en", "recommendation", "IT support for a small office", "We're a 15-person architecture firm, our IT guy left. Looking for "
     "a local company that does managed IT."),
    ("en", "recommendation", "Bookkeeper for a small agency", "Can anyone recommend a bookkeeper for a 6-person agency? Happy to "
     "discuss."),
    # how to cancel, transfer, dispute (with or without the question mark)
    ("en", "support", "Cancel phone contract", "How do I best cancel my contract with Vodafone, the hotline is never reachable."),
    ("en", "support", "", "How can I transfer my domain from GoDaddy to another registrar?"),
    # a city forum's places and services
    ("de", "recommendation", "Kindergeburtstag", "Tipps für einen Geburtstag mit 10 Kindern (6 Jahre) im Winter? Indoor wäre gut."),
    ("de", "recommendation", "Welcher Biergarten hat einen Spielplatz?", ""),
    ("de", "recommendation", "Laden für Brettspiele", "Gibt es in der Innenstadt noch einen guten Brettspielladen?"),
    ("de", "recommendation", "Friseur für kurze Haare", "Männerhaarschnitt, nichts Besonderes, aber ordentlich. Wohin geht ihr?"),
    # which of two options is more reliable, cheaper, …
    ("en", "comparison", "Internet provider in Stuttgart West", "Moving next month. Vodafone cable or Telekom DSL? Which one is "
     "more reliable in the area?"),
    ("de", "comparison", "Internet in S-West", "Wir ziehen um. Vodafone Kabel oder Telekom DSL? Welcher ist in der Gegend "
     "zuverlässiger?"),
]

# a long story whose question comes last (common in forum posts): the analyser keeps the end
_STORY = ("Letzte Woche ist in unserer Mietwohnung im Bad ein Rohr geplatzt, das Wasser lief bis in den Flur. "
          "Der Vermieter war im Urlaub, die Hausverwaltung hat erst nach drei Tagen zurückgerufen. ") * 12


@pytest.mark.parametrize("lang,intent,title,body", DIRECT, ids=[f"{r[0]}-{r[1]}-{i}" for i, r in enumerate(DIRECT)])
def test_direct_request_forms_set_a_floor(classifier, lang, intent, title, body):
    r = classifier.classify(title, body)
    assert r.lang == lang and r.is_request, (r.request_probability, r.explanation)
    assert r.request_probability >= classifier.settings.direct_request_floor
    assert r.intent == intent, (r.intent_probabilities, r.explanation)
    if all(d["form"] == "fault" for d in r.evidence["direct"][:2]):
        # a fault report states its problem: named as such, not as asked
        lead = "Meldet einen Defekt am eigenen Gerät: " if lang == "de" else "Reports a fault of their own: "
        assert "Asks directly" not in r.explanation and "Direkte Anfrage" not in r.explanation
    else:
        lead = "Direkte Anfrage: " if lang == "de" else "Asks directly: "
    assert lead + f'"{r.evidence["direct"][0]["phrase"]}"' in r.explanation, r.explanation
    assert r.evidence["direct"] and r.evidence["direct"][0]["signal"]
    assert all(d["phrase"][:1].isalnum() or d["phrase"][:1] in "„\"'" for d in r.evidence["direct"]), r.evidence["direct"]
    assert all(len(d["phrase"]) <= 90 and "\n" not in d["phrase"] for d in r.evidence["direct"]), r.evidence["direct"]
    # floor 0 turns it off: the model's own probability comes back
    off = Classifier(classifier.model, classifier.analyzer, classifier.personas,
                     classifier.settings.model_copy(update={"direct_request_floor": 0.0}))
    model_only = off.classify(title, body).request_probability
    assert model_only == pytest.approx(float(classifier.model.probability(classifier.model.matrix([classifier.analyzer.analyse(title, body)]))[0]))
    assert r.request_probability == pytest.approx(max(model_only, classifier.settings.direct_request_floor))


@pytest.mark.parametrize("lang,text,sentences", [
    ("de", "Platz in der 1. Klasse frei? Nein.", ["Platz in der 1. Klasse frei?", " Nein."]),
    ("de", "Am 3. Oktober fahre ich. Geht das?", ["Am 3. Oktober fahre ich.", " Geht das?"]),
    ("de", "Ich bin 28. Ich wohne in Stuttgart.", ["Ich bin 28.", " Ich wohne in Stuttgart."]),
    ("de", "Programme wie z.B. Lexware oder bzw. DATEV? Danke.", ["Programme wie z.B. Lexware oder bzw. DATEV?", " Danke."]),
    ("en", "Tools, e.g. Trello. Why? Dr. Smith said so.", ["Tools, e.g. Trello.", " Why?", " Dr. Smith said so."]),
    ("en", "I was 25. Then I moved.", ["I was 25.", " Then I moved."]),
])
def test_sentences_end_not_after_ordinals_or_abbreviations(lang, text, sentences):
    from radar.classify.analysis import sentence_ends

    ends = sentence_ends(text, lang)
    assert [text[s:e] for s, e in zip([0] + ends[:-1], ends)] == sentences


def test_lone_surrogates_are_classified_not_raised(classifier):
    # half an emoji from a JSON API ("\ud83d" alone) cannot be encoded; spaCy hashes UTF-8
    r = classifier.classify("Steuerberater \ud83d", "Kann mir jemand einen Steuerberater in Stuttgart empfehlen? \udc4d")
    assert r.lang == "de" and r.is_request and r.intent == "recommendation"
    many = classifier.classify_many([("\ud800", "", None), ("ok", "Where can I buy a used ThinkPad? \udfff", None)])
    assert [x.is_request for x in many] == [False, True]


@pytest.mark.parametrize("lang,title,body", [
    ("de", "Wir suchen einen Elektriker (m/w/d) für unseren Betrieb in Esslingen", "Jetzt bewerben!"),
    ("de", "Suche nach vermisstem Kind in Stuttgart geht weiter", ""),
    ("de", "", "Wo gibt es denn sowas? Ich kenne keine Pommesbude, die das verkauft."),
    ("de", "", "Ich empfehle jedem, diese Partei nicht zu wählen."),
    ("en", "Looking for the Higgs boson at CERN", ""),
    ("en", "", "Selling my old ThinkPad, where can I buy a new one? Just kidding, 200 EUR, PM me. For sale."),
    # statements that are not polite requests
    ("en", "", "If anyone can help it's our neighbour, he fixed our roof last year and told the story at every party."),
    ("de", "", "Ich bin dankbar für jeden Tag mit meiner Familie und euch allen hier im Verein."),
    # rhetorical choice titles above a body that asks
    ("en", "Is it me or is it me?", "I have been looking for a flat for a month. Is it me that sees this the wrong way?"),
    ("de", "Bin ich der Einzige oder nervt das alle?", "Jeden Morgen fällt die S-Bahn aus. Geht es euch auch so?"),
    # rhetorical "wie kann man …?" and a society's "what can we do?" are not a problem of one's own
    ("de", "", "Wie kann man so jemanden in eine Talkshow einladen? Ich schalte weg."),
    ("en", "We know there is a gender pay gap in tech, what can we do about it?", ""),
    # experiences with nothing a provider sells: a civic question
    ("de", "Hat die Stadtverwaltung aufgegeben?", "Hier parken jeden Abend Autos auf dem Gehweg. Hat jemand von Euch Erfahrungen, ob die Stadt hier aufgegeben hat?"),
    # titles that do not ask: a guide, a police appeal, a headline
    ("en", "Recommendations for securing your Linux server", ""),
    ("de", "Zeugen gesucht: Unfall auf der B10 bei Esslingen", ""),
    ("en", "Why every growing team will need help desk software", ""),
    ("de", "", "Kann man so jemanden wirklich wählen? Ich verstehe es nicht."),
    # asking for a reason is curiosity
    ("de", "Seltsam", "Kennt jemand einen Grund, warum die Bahn hier jeden Morgen zehn Minuten hält?"),
    ("en", "Weird tram stop", "Does anyone know a reason why the trams always stop here for ten minutes?"),
    ("en", "Spreadsheets", "We moved our planning to a new tool last year. What do you use it for?"),
    # a complaint, a poll and a wish are not the forum's request forms
    ("de", "Verspätung", "Woran liegt es, dass die Bahn jeden Tag zu spät ist?"),
    ("de", "Talkshow", "Welche Meinung habt ihr zu der Sendung gestern?"),
    ("en", "Ask HN: Which software do you need but which doesn't exist yet?", ""),
    ("en", "Volcanoes", "What could cause a volcano to erupt twice in one year? Just curious."),
    ("de", "Polizei am Hbf", "Kann mir jemand sagen, was da heute los war?"),
    ("de", "", "Wie soll ich sexuelle Belästigung ernst nehmen, wenn das als Kompliment gilt? Soll ich jetzt lachen?"),
    ("de", "", "@user Ich habe die nicht gewählt. Welche Rechte habe ich da eigentlich noch?"),
    ("de", "Preisvergleich", "Brauche ich eine App? Die Entscheidung ist nicht einfach."),
    ("en", "Broken bench", "Someone smashed the bench at the playground. What would it cost to fix this?"),
    ("en", "Ask HN: How do you manage your bookmarks?", ""),
    ("en", "", "If you could have one superpower, what superpower would you choose?"),
    ("en", "Movie night", "Which Star Wars movie is the best?"),
    ("en", "Where are the best bank holiday Monday deals on the high street and online?", ""),
    # an article's or a video's teaser asks its reader's question to answer it
    ("de", "Brauche ich einen Steuerberater?", "Viele Selbstständige fragen sich das. Wir zeigen, wann es sich lohnt. Jetzt lesen!"),
    ("de", "Feuchter Keller", "Feuchte Wände? Woran kann das liegen? Unser Ratgeber erklärt die häufigsten Ursachen."),
    ("de", "Wie findet man einen seriösen Handwerker?", "In unserem neuen Video zeigen wir es. Link in der Bio!"),
    ("en", "Slow Wi-Fi?", "What could be causing this? We explain the most common causes in our new guide."),
    ("en", "5 signs you need an accountant", "Do I need an accountant? Here is how to tell."),
    ("en", "Best moment in your life?", ""),
    ("de", "Bester Moment in deinem Leben?", ""),
    ("de", "Stuttgart Open Data", "Ich habe eine interaktive Karte gebaut. Vorschläge für weitere Daten?"),
    ("de", "", "ich such mal raus den Artikel, moment!"),
    ("de", "Turm", "Was ist das für ein Turm in der Ferne? Hat jemand eine Idee?"),
    ("de", "", "@user bitte um Antwort wie siehts bei euch aus in der Belegschaft bei Frauen und Männern"),
    # a service word inside another word, or a title-like "<provider> in <place>?" that is a question
    ("de", "Zeitplan", "Wie ist das machbar bei so wenig Zeit?"),
    ("de", "Lärm", "Welcher Nachbar hat heute Nacht so laut Musik gehört?"),
    ("de", "Entwurf", "Ist das so besser oder optimaler?"),
    ("en", "Closed", "Why is the shop in town closed today?"),
    ("en", "", "$Boss: Yes. $Me: How did you manage to get your print outs from the printer over there?"),
    # a fault report needs the author's own thing, failing now, in the author's own words
    ("en", "", "The train won't stop at Vaihingen today, the whole line is closed."),
    ("en", "", "I finished my old build last year so I won't post pictures of it again."),
    ("en", "", "My car wouldn't start that morning, so I walked, and that is how I met my wife."),
    ("en", "", "Years ago at the call centre my app was not working for a week and nobody cared."),
    ("en", "Is there a relation between software and art?", ""),
    ("de", "Filmabend", "Was ist ein guter Film für heute Abend?"),
    # polls of favourites, a tower, a court
    ("de", "Umfrage", "Welches ist euer Lieblingscafé in der Innenstadt? Bin gespannt!"),
    ("en", "Favourite cafe in Leeds?", ""),
    ("en", "Looking for feedback on my Webpack plugin", ""),
    ("de", "Umfrage: Bahntickets zu teuer", "Flugzeug, Bahn oder Fernbus: Sind die Preise angemessen? Stimmen Sie ab!"),
    ("de", "", "Lohnt sich die Wiederholung anzusehen? Frage für einen Feind."),
    ("de", "Freitag", "Hat jemand einen guten Witz für die Weihnachtsfeier?"),
    ("de", "Flohmarkt", "Ist das OK? Heute auf dem Flohmarkt in Weilimdorf gesehen."),
    ("en", "", "The minister says the price of bread will double. Does that sound right to anyone?"),
    ("en", "", "Police say they hope someone can help them identify the man in the picture."),
    ("en", "How do you choose a name for your cat?", ""),
    ("en", "What Should I Know About Kubernetes", ""),
    ("de", "", "Was haltet ihr von der Rede gestern? Ich fand sie schwach."),
    ("en", "", "Can we cancel the whole election and start over? Asking for democracy."),
    ("en", "", "I don't know why, but the user printed every mail twice. Classic Monday at the help desk."),
    ("de", "", "Ich würde mich freuen, wenn ihr alle am Sonntag zur Wahl geht."),
    ("en", "We need a new approach to software education", ""),
    ("en", "Looking for the next generation of software engineers", ""),
    ("de", "Turm", "Welcher Turm ist das in der Ferne?"),
    ("de", "", "Muss da jetzt wirklich ein Gericht entscheiden? Lächerlich."),
    ("en", "", "I sip my coffee, the phone rings. \"Good morning, my computer won't connect to the internet.\" Here we go."),
    ("en", "", "> Cust: Hi, I bought a monitor this week and my laptop isn't working with it.\n\nReader, it was the cable."),
    ("en", "Need help with your taxes? Our advisers are ready.", "Need help? Book a call today."),
    ("de", "", "Der Zug fährt heute nicht, die Heizung im Hotel ging auch nicht. Toller Urlaub."),
    ("de", "", "Mein Chef sagt, „mein Rechner startet nicht mehr“ heißt bei ihm: Monitor aus."),
    # a title naming a fault: a link title without a body, a news item's summary
    ("en", "iPhone 15 won't charge past 80 percent by default", ""),
    ("en", "iPhone 15 won't charge past 80 percent by default", "Apple says the limit protects the battery in the long run."),
    ("de", "Heizung springt nicht an? Das sind die häufigsten Ursachen", "Der Ratgeber erklärt, was Hausbesitzer tun können."),
    # a philosophical choice, a poll of favourites, curiosity, a job advert after a fronted phrase
    ("de", "", "Ist es besser, geliebt oder gefürchtet zu werden? Machiavelli hatte eine klare Meinung."),
    ("en", "", "Is it better to be loved or feared? Discuss."),
    ("de", "Umfrage", "Was nutzt ihr am liebsten? Womit arbeitet ihr am liebsten?"),
    ("de", "Milaneo", "Hat jemand Ahnung, was da heute los war?"),
    ("de", "Verstärkung", "Für unser Team in Esslingen suchen wir ab sofort einen Elektriker (m/w/d). Jetzt bewerben!"),
    ("en", "", "I'm lost for words. What a game last night!"),
    ("en", "", "Honestly I'm lost without my phone, left it at home today."),
    ("de", "", "Unsere Bahn fährt heute nicht, die Strecke ist gesperrt."),
    ("de", "Stuttgart", "Was ist am besten an Stuttgart? Für mich die Weinberge."),
    ("en", "Ask HN: Mobile mesh networking framework, what would you use it for?", ""),
    ("en", "Apple vs. Samsung", ""),
    ("de", "Wahl", "Wen soll ich nur wählen? Alle Parteien sind gleich schlecht."),
    ("en", "New parking plan", "The council wants to ban cars from the centre. Will it work? Experts doubt it."),
    ("en", "", "Who sells the most cars in Europe? Volkswagen, again."),
    ("de", "", "Kann man das so nennen? Ich finde, das ist eher ein Witz."),
    ("en", "The fastest way to get started with GraphQL", ""),
    ("de", "Der schnellste Weg zur eigenen Webseite", "In fünf Schritten online. Unser Ratgeber zeigt wie."),
    ("en", "Card declined?", "Your card was declined at checkout? Here are the five most common reasons."),
    ("en", "", "Which banks offer the worst service in town? Vote in the comments!"),
    ("en", "", "Who can fix the economy? Not this government, that's for sure."),
    ("de", "", "Womit ich zufrieden bin? Mit meinem Team und unserem neuen Büro!"),
    ("de", "Filmabend", "Welche Filme kommen heute Abend in Frage? Ich bin für Komödien."),
    ("de", "", "Gibt es hier noch Leute, die sich an den alten Bahnhof erinnern?"),
    ("en", "", "What's the best way to assert dominance at a barbecue? Asking for a friend."),
    ("de", "", "Ab sofort suchen wir eine Bürokraft in Teilzeit für unser Team in Esslingen. Bewerbungen bitte per Mail."),
    # an advert's question, advice to someone else, a job advert; a story's past, a feature that only does one thing
    ("en", "Need a plumber? Call Joe's 24/7", "Fast, friendly, fair prices."),
    ("en", "", "You need a lawyer for this, not a forum."),
    ("en", "", "We need a developer to join our team in Berlin. Apply now!"),
    ("de", "Brauchen Sie einen Maler? Wir sind für Sie da", "Festpreise, saubere Arbeit."),
    ("de", "", "Brauche ich einen Steuerberater? Unser Ratgeber erklärt es."),
    ("de", "", "Wir brauchen einen Elektriker (m/w/d) in Vollzeit, jetzt bewerben."),
    ("en", "", "Years ago my router kept dropping the connection, now it is rock solid."),
    ("en", "Show HN: my app only works offline, by design", ""),
    ("de", "", "Der Akku verliert über Nacht kaum Ladung, das Handy hält zwei Tage."),
    # one's own purchase shown, a review site's list, a sale
    ("en", "My new laptop for work", "I finally got it: 1200 € well spent."),
    ("en", "Laptops for students under $800", "We tested twelve models this summer."),
    ("en", "Laptop for sale", "I am selling my laptop, 300 euros."),
    ("de", "E-Bike für den Arbeitsweg", "Verkaufe mein E-Bike, 1500 Euro VB."),
    ("de", "Laptop für die Uni", "Der Hersteller bringt ein neues Modell für 799 Euro."),
    # seeking company, a job, a witness: no professional sought
    ("en", "Two of us at the Volksfest", "We don't get how it all works. Looking for a local who can show us around."),
    ("de", "Hallo zusammen", "Ich wohne seit einem Jahr hier. Ich bin auf der Suche nach einem Job, aber nichts klappt."),
    ("de", "Unfall in Vaihingen", "Der Fahrer flüchtete. Die Polizei sucht einen Zeugen, der den Unfall gesehen hat."),
    ("en", "Robbery downtown", "The shop was robbed at noon. Police are looking for a man in a red jacket."),
    # recommendations for someone, not of someone
    ("en", "Security recommendations for developers", ""),
    ("de", "Empfehlungen für den Urlaub", "Unsere fünf liebsten Orte am Bodensee."),
    ("de", "Politik", "Reparatur oder neue Regierung? Die Wähler haben entschieden."),
    ("en", "Politics", "Repair or new leadership? Voters decide on Sunday."),
    ("en", "Node.js vs. Java: Which Is Faster for APIs?", ""),
    ("en", "Quiz", "Which is faster, a cheetah or a falcon? Answer below."),
    ("en", "iPhone 15 won't charge past 80 percent by default", "Apple says the limit protects the battery. Please update to iOS 17.1."),
    ("en", "iPhone 15 won't charge past 80 percent by default", "Thanks to the new chip it stays cool, and help is a tap away."),
    ("en", "School with the worst results?", "The new ranking is out."),
    ("de", "Unglaublich", "Wer macht denn sowas? Der ganze Spielplatz voller Müll."),
    ("de", "Zeugen gesucht", "Unfall am Montag an der Kreuzung, der Fahrer flüchtete."),
    ("de", "Mitbewohner gesucht", "Schönes WG-Zimmer in S-Süd ab Mai frei."),
    ("de", "Elektriker gesucht (m/w/d)", "Vollzeit, unbefristet, ab sofort."),
    ("de", "Was tun mit dem vielen Geld?", "Die Regierung hat Milliarden übrig."),
    ("de", "Strom", "Laut Zeitung zahlen wir 2000 Euro mehr. Kann das stimmen?"),
    ("en", "Prices", "The paper says bread will cost 10 euros. Can that be right?"),
    ("de", "Handy für 400 Euro?", "Ist das ein guter Preis? Ich verkaufe meins."),
    ("en", "Zombie apocalypse", "You have one day to prepare. What would you do?"),
    ("en", "", "What would you do if you won the lottery tomorrow?"),
    ("de", "Wahlabend", "Unsere Stadt sucht einen neuen Bürgermeister, die Wahl ist am Sonntag."),
    ("en", "Election", "I'm not sure which candidate is worse, honestly."),
    ("de", "Unfallflucht", "Ich weiß nicht, wie man so etwas tun kann. Unglaublich."),
    ("de", "Open Data", "Ich habe mit den offenen Daten der Stadt eine Karte gebaut. Vorschläge für weitere Daten?"),
    ("de", "Stuttgart vs München", "Welche Stadt ist schöner? Diskutiert!"),
    ("en", "Thank you all", "You helped me so much last year. How do I return the favour?"),
    ("en", "Job hunt", "Moved here in May. Looking for a company that will sponsor my visa."),
    # a poll's call to vote or discuss; an advert's question
    ("de", "Welcher Biergarten hat die schönste Aussicht?", "Stimmen Sie ab in unserer Umfrage!"),
    ("en", "What would you set up?", "A thought experiment: you get 1 million to build a city. Discuss."),
    ("de", "Umzugshelfer gesucht? Wir helfen!", "Professionelle Umzüge zum Festpreis. Jetzt anrufen."),
    # a newsroom's test or visit answers the question it asks
    ("de", "Gibt es in Stuttgart einen guten Döner?", "Die Redaktion hat 20 Läden getestet. Hier ist das Ergebnis."),
    ("de", "Wer repariert noch Fernseher?", "Ein Besuch beim letzten Meister der Stadt: Herr Maier ist 78."),
    ("en", "Is there a good pizza place in Leeds?", "We tested 15 of them so you don't have to."),
    ("en", "Motivation", "How do I unlock my full potential? Read my new blog post."),
    ("en", "Pizza vs burgers", "Tell me what you prefer! Vote in the comments, which side are you on?"),
])
def test_no_direct_form_in_job_ads_offers_headlines_or_rhetoric(classifier, lang, title, body):
    a = classifier.analyzer.analyse(title, body)
    assert a.lang == lang and a.direct == [], a.direct


def test_a_fault_named_in_title_and_body_is_one_piece_of_evidence(classifier):
    # the body's own words are the evidence; the title's fault counts once, not twice
    a = classifier.analyzer.analyse("Laptop won't turn on after BIOS update",
                                    "My laptop won't turn on since yesterday. I tried another charger.")
    assert a.direct == [("fault", "My laptop won't turn on")], a.direct
    # a body that says "my" without naming the fault leaves the title's fault as the evidence
    a = classifier.analyzer.analyse("Laptop won't turn on after BIOS update",
                                    "Updated my BIOS yesterday, now nothing. I tried another charger.")
    assert a.direct == [("fault", "Laptop won't turn on")], a.direct
    # two expressions of a form that find the same words are one piece of evidence
    a = classifier.analyzer.analyse("", "Kann ich die Fahrtkosten von der Steuer absetzen?")
    assert a.direct == [("support", "Kann ich die Fahrtkosten von der Steuer absetzen")], a.direct
    # ... and so are words inside another's of the same form (a question's "Any help" in the plea)
    a = classifier.analyzer.analyse("", "Just built a pc and it was running fine. Now it is dead. Any help is appreciated")
    assert a.direct == [("help", "Any help is appreciated")], a.direct
    a = classifier.analyzer.analyse("Which AI tool should I use to describe an image?", "")
    assert a.direct == [("recommendation", "Which AI tool should I use")], a.direct


@pytest.mark.parametrize("lang,title,body,forms", [
    ("de", "Handyvertrag", "Wie kündige ich am besten meinen Vertrag bei Vodafone, die Hotline ist nie erreichbar.", ["help"]),
    ("en", "Upgrade", "I want to upgrade my RX 560 under 500$. What is the best option", ["recommendation"]),
    ("en", "", "Been trying for hours. Is there any way to show another laptop's screen in a window on mine", ["support"]),
    ("de", "Drucker", "Kann mir jemand einen guten Drucker empfehlen, Budget 200 Euro", ["recommendation"]),
    ("en", "Printer", "Can someone recommend a good printer for a small office", ["recommendation"]),
    ("en", "", "Does anyone know a good plumber in Leeds", ["provider", "support"]),
])
def test_a_body_that_asks_without_a_question_mark_asks(classifier, lang, title, body, forms):
    """Forum posts leave the question mark out: a body sentence that opens as a question is read by
    the question forms; the model's question features still count marked questions only (what it
    was trained on)."""
    a = classifier.analyzer.analyse(title, body)
    assert a.lang == lang and [f for f, _ in a.direct] == forms, a.direct
    assert a.features["q_any"] == 0.0
    assert classifier.classify(title, body).request_probability >= classifier.settings.direct_request_floor


@pytest.mark.parametrize("title,body,questions", [
    ("Is there a crisis in physics", "", 0),  # a title: as often a headline's
    ("Is there a crisis in physics", "Three physicists explain their view.", 0),
    ("Election", "How can we trust them after this!", 0),  # exclaimed
    ("Election", "How can we trust them after this. Shameful.", 0),  # "we can": rhetorical as often
    ("Rant", "Can someone explain this mess. Who would vote for them again?", 1),  # the body marks its questions
    ("Rant", "Wie kann man nur so dumm sein. Unglaublich.", 0),  # not an opener of a question
    ("", "I love my new phone. It is the best.", 0),
])
def test_no_unmarked_question_in_titles_exclamations_or_marked_bodies(classifier, title, body, questions):
    """An opener is no question in a title (a headline's as often), exclaimed, rhetorical, or in a body
    that marks its questions; and the model's question count is the marked questions'."""
    a = classifier.analyzer.analyse(title, body)
    assert a.features["q_sent"] == questions, a.features
    assert a.direct == [], a.direct


def test_score_follows_weights_and_thresholds():
    from radar.config import ClassifierSettings

    cfg = load_config(ROOT / "config")
    only_request = Classifier.load("bundled", personas=cfg.personas,
                                   settings=ClassifierSettings(weight_request=1, weight_persona=0, weight_urgency=0,
                                                               hot_threshold=90, warm_threshold=10))
    r = only_request.classify("Which password manager do you recommend?", "")
    assert r.score == pytest.approx(100 * r.request_probability, abs=0.01)
    assert r.temperature == ("hot" if r.score >= 90 else "warm" if r.score >= 10 else "cold")


# ---------------------------------------------------------------- personas
def _size_persona(**kw) -> PersonaConfig:
    return PersonaConfig.model_validate({
        "name": "size", "languages": ["de", "en"], "exclude": ["stellenangebot"],
        "criteria": [{"name": "company size", "type": "range", "unit": "employees",
                      "ranges": [{"min": 50, "max": 70, "points": 100}, {"min": 25, "max": 49, "points": 50},
                                 {"min": 70, "max": 100, "points": 75}]}], **kw})


@pytest.mark.parametrize("text,fit", [
    ("Wir sind ein Betrieb mit 60 Mitarbeitern.", 100),
    ("We are a team of 30 looking for a new CRM.", 50),
    ("Our company has 80 employees.", 75),
    ("Wir sind 70 Mitarbeiter", 100),  # on both borders: the best range wins
    ("ein 30-köpfiges Team", 50),
    ("Wir sind 5 Leute.", 0),
    ("Kein Hinweis auf die Größe.", 0),
])
def test_company_size_ranges_give_their_points(text, fit):
    scorer = PersonaScorer([_size_persona()])
    lowers = text.lower().split()
    lang = detect_language(text)
    r = scorer.score(lowers, lowers, text, lang)[0]
    assert r.fit == pytest.approx(fit)
    assert r.criteria[0].points == fit


def test_persona_keywords_lemmas_wildcards_and_exclusion(classifier):
    p = PersonaConfig.model_validate({
        "name": "acc", "languages": ["de"], "exclude": ["stellenangebot"],
        "criteria": [
            {"name": "need", "type": "keywords", "values": [{"terms": ["*software"], "points": 60}, {"terms": ["steuerberater"], "points": 30}]},
            {"name": "region", "type": "region", "values": [{"terms": ["stuttgart"], "points": 40}]},
        ]})
    scorer = PersonaScorer([p])
    a = classifier.analyzer.analyse("Buchhaltungssoftware gesucht", "Wir suchen Steuerberatern in Stuttgart einen Tipp.")
    r = scorer.score(a.lowers, a.lemmas, a.text, a.lang)[0]
    assert [c.points for c in r.criteria] == [60, 40]
    assert r.fit == pytest.approx(100.0)
    ex = classifier.analyzer.analyse("Stellenangebot: Buchhaltungssoftware-Berater in Stuttgart", "")
    assert scorer.score(ex.lowers, ex.lemmas, ex.text, ex.lang)[0].fit == 0
    en = classifier.analyzer.analyse("Accounting software for Stuttgart?", "")
    r_en = scorer.score(en.lowers, en.lemmas, en.text, en.lang)[0]
    assert r_en.fit == 0 and r_en.excluded_by == "language en"


def test_find_numbers():
    assert find_numbers("Wir sind 60 Mitarbeiter", "employees") == [(60.0, "60 Mitarbeiter")]
    assert find_numbers("50-70 employees", "employees")[0][0] == 60.0
    assert find_numbers("1.200 Nutzer", "users")[0][0] == 1200.0
    assert find_numbers("a team of 30 people", "users") == []


def test_shipped_personas_are_valid_and_documented():
    cfg = load_config(ROOT / "config")
    names = [p.name for p in cfg.personas]
    assert {"it-service-dach", "erp-accounting-reseller", "local-craft-stuttgart"} <= set(names)
    text = (ROOT / "config" / "personas.toml").read_text(encoding="utf-8")
    assert text.count("#") > 10  # commented for marketing


# ---------------------------------------------------------------- text
@pytest.mark.parametrize("text,lang", [
    ("Kann mir jemand helfen?", "de"),
    ("Wo bekomme ich günstige Fliesen?", "de"),
    ("Any recommendations for a laptop bag?", "en"),
    ("TeamViewer alternative?", "en"),
    ("Où puis-je acheter un vélo pour les enfants dans la ville?", "other"),
    ("Продам Renault Trafic Combi", "other"),
    # no (or as many German as English) function words: character n-grams decide
    ("Verkaufe gebrauchtes iPhone 12. Guter Zustand, 250 Euro VB.", "de"),
    ("Elektriker gesucht Raum Leipzig, Altbausanierung", "de"),
    ("Kühlschrank brummt laut", "de"),
    ("Free Syslog viewer with filtering", "en"),
    ("Laptop overheating while gaming", "en"),
])
def test_language_detection(text, lang):
    assert detect_language(text) == lang


def test_ngram_de_or_en():
    from radar.classify.text import ngram_de_or_en

    assert ngram_de_or_en("Zuverlässige Handwerker für Dachsanierung") == "de"
    assert ngram_de_or_en("Reliable contractors for roof repairs") == "en"
    assert ngram_de_or_en("12345 !!! ???") is None  # no letters, no vote


def test_normalise_cleans_web_text():
    assert normalise("Hi @bob, see [docs](https://x.y)!") == "Hi @user, see docs!"
    assert normalise("ａｂｃ  &amp;\n\n def") == "abc &\ndef"
    # numeric and other named entities too (the Stack Exchange API sends "What&#39;s …", once read as the word "39")
    assert normalise("What&#39;s a PDF viewer like macOS&#39;s Preview&#x200B;app &ndash; free?") == \
        "What's a PDF viewer like macOS's Preview app – free?"
    assert normalise("AT&T Q&A &bogus; &#233;t&eacute;") == "AT&T Q&A &bogus; été"
    assert len(normalise("x " * 5000)) <= 1000


def test_a_long_post_keeps_its_beginning_and_its_final_question(classifier):
    from radar.classify.text import MAX_CHARS, cut, join_title_body

    question = "Nun zu meiner Frage: kann mir jemand einen Anwalt für Mietrecht in Stuttgart empfehlen?"
    body = _STORY + question
    assert len(body) > 2 * MAX_CHARS
    title, b, text = join_title_body("Wasserschaden in der Mietwohnung", body)
    assert len(text) <= MAX_CHARS and text.startswith("Wasserschaden in der Mietwohnung\nLetzte Woche")
    assert text.endswith(question)
    # the two parts are separate sentences: the story's cut does not run into the question
    assert "\n" in text[len(title) + 1:]
    a = classifier.analyzer.analyse("Wasserschaden in der Mietwohnung", body)
    assert ("recommendation", "kann mir jemand einen Anwalt für Mietrecht in Stuttgart empfehlen") in a.direct
    r = classifier.classify("Wasserschaden in der Mietwohnung", body)
    assert r.is_request and r.intent == "recommendation", (r.request_probability, r.explanation)
    # cut: words stay whole, short texts are untouched, every length stays within the limit
    assert cut("kurz") == "kurz"
    for n in (200, 500, 1000):
        c = cut("wort " * 1000 + "Ende?", n)
        assert len(c) <= n and c.endswith("Ende?") and all(w in ("wort", "Ende?") for w in c.split())
    assert cut("wort " * 1000 + "Ende?", 150) == " ".join(["wort"] * 30)  # too short for two parts: the beginning


def test_metrics_match_scikit_learn_on_ties_and_scores():
    import numpy as np
    from sklearn.metrics import average_precision_score, f1_score

    from radar.classify.metrics import average_precision, point_metrics

    rng = np.random.default_rng(3)
    y = rng.integers(0, 2, 300)
    for s in (rng.integers(0, 2, 300).astype(float), rng.random(300)):
        assert average_precision(y, s) == pytest.approx(average_precision_score(y, s))
        assert point_metrics(y, s, 0.5)["f1"] == pytest.approx(f1_score(y, (s >= 0.5).astype(int)))


def test_metrics_take_a_threshold_per_post():
    """Per-language thresholds: each post is judged at its own threshold, in the point figures and
    in every bootstrap resample (the resampled posts keep their thresholds)."""
    import numpy as np
    from sklearn.metrics import f1_score

    from radar.classify.metrics import bootstrap_ci, point_metrics

    rng = np.random.default_rng(5)
    y, s = rng.integers(0, 2, 400), rng.random(400)
    t = np.where(rng.random(400) < 0.5, 0.4, 0.6)
    assert point_metrics(y, s, t)["f1"] == pytest.approx(f1_score(y, (s >= t).astype(int)))
    # a request and a non-request at the same score: both right only at their own thresholds
    y2, s2, t2 = np.array([1, 0] * 20), np.array([0.5] * 40), np.array([0.4, 0.6] * 20)
    assert point_metrics(y2, s2, t2)["f1"] == 1.0 and point_metrics(y2, s2, 0.4)["precision"] == 0.5
    assert bootstrap_ci(y2, s2, t2, n=50)["f1"] == (1.0, 1.0)


def test_compact_model_equals_scikit_learn():
    """The compact inference form (no scikit-learn at load) gives the same TF-IDF matrix and
    intent probabilities as the fitted scikit-learn objects it is made from."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from radar.classify.model import CompactSoftmax, CompactTfidf

    texts = [t for _, t, b in NOT_REQUESTS] + [f"{t} {b}".lower() for _, _, t, b in REQUESTS]
    texts += ["a", "", "  ok  ok  \n  x", "USB-Ports wie tot ... tot", "zzzz qqqq"]
    for kwargs in (dict(analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b"),
                   dict(analyzer="char_wb", ngram_range=(3, 5))):
        vec = TfidfVectorizer(sublinear_tf=True, lowercase=False, dtype=np.float32, **kwargs).fit(texts[:15])
        compact = CompactTfidf.from_sklearn(vec)
        got = compact.transform(texts).toarray()
        assert np.array_equal(compact.transform(texts).toarray(), got)  # again, from the per-word cache
        assert got.shape == (len(texts), len(vec.vocabulary_))
        assert np.abs(got - vec.transform(texts).toarray()).max() < 1e-6
    X = TfidfVectorizer(sublinear_tf=True, lowercase=False, dtype=np.float32).fit_transform(texts)
    y = [i % 3 for i in range(len(texts))]
    clf = LogisticRegression(max_iter=1000).fit(X, y)
    assert np.allclose(CompactSoftmax.from_sklearn(clf).predict_proba(X), clf.predict_proba(X))


def test_bundled_model_loads_without_scikit_learn():
    import subprocess
    import sys

    code = ("import sys; from radar.classify import Classifier; c = Classifier.load('bundled'); "
            "c.classify('Kann mir jemand einen Steuerberater empfehlen?', ''); print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_model_evaluation_scores_with_the_given_threshold_and_floor(classifier):
    """`radar train` compares models as they will be used: the configured threshold and floor."""
    from radar.classify import train
    from radar.classify.dataset import Example

    ex = [Example("a", "Steuerberater", "Kann mir jemand einen Steuerberater in Stuttgart empfehlen?", 1, "recommendation", "t", None, 1),
          Example("b", "", "Bahn-Chef Grube verspricht Ende der umgekehrten Wagenreihung, berichtet die Zeitung.", 0, "none", "t", None, 2),
          Example("c", "Which password manager do you recommend?", "", 1, "recommendation", "t", None, 3)]
    with_floor = train.evaluate_model(classifier.model, classifier.analyzer, ex, threshold=0.25, n_boot=10, direct_floor=0.5)
    without = train.evaluate_model(classifier.model, classifier.analyzer, ex, threshold=0.25, n_boot=10, direct_floor=0.0)
    assert with_floor["all"]["recall"] == 1.0 and without["all"]["recall"] == 0.5
    strict = train.evaluate_model(classifier.model, classifier.analyzer, ex, threshold=0.99, n_boot=10, direct_floor=0.5)
    assert strict["all"]["recall"] < 1.0


TOKENIZER_CASES = [
    "Kann mir jemand einen guten Steuerberater empfehlen?\nWir sind z. B. ein Büro mit 60 Mitarbeitern.",
    "I'm looking for a laptop, don't know which... A. B. Smith's shop? U.S. prices: $1,299.99 (10km away)",
    "Hallo!!! Wo gibt's in S-Ost gute Fliesen?? :) :-( <3 #fliesen @user URL",
    "e-mail: info@example.com, Tel. 0711/123456; Nr. 5 — „Zitat“ ‚auch‘ «so» A. Z.B. z.B. usw. etc.",
    "tabs\tand  double  spaces\n\n\nnew lines  \u00a0nbsp 😀emoji😀 ÄÖÜäöüß Straße",
    "Mr. Dr. Prof. St. Jan. vs. Re: Fwd: AW: WG: ca. bzw. ggf. d.h. u.a. i.d.R.",
    "?", "", "   ", "a", "A.", "...", "‚", "I'd've", "can't won't shan't", "5€ 10% 3x 2nd 1.000,50 EUR",
]


@pytest.mark.parametrize("lang", ["de", "en"])
def test_analyser_tokens_equal_spacy_tokenizer(classifier, lang):
    """The analyser caches tokens per white-space piece and skips spaCy's tokenizer for plain
    words (speed); its tokens must equal what spaCy's tokenizer gives for the whole text — also
    where special cases ("z. B.", "I'm", ":)") and affixes meet, and on a second, cached pass."""
    from radar.classify.text import join_title_body

    an = classifier.analyzer
    for _ in range(2):
        got = an.analyse_many([("", t, lang) for t in TOKENIZER_CASES])
        for text, a in zip(TOKENIZER_CASES, got):
            norm = join_title_body("", text)[2]
            want = [t.text.lower() for t in an.nlp[lang].tokenizer(norm) if not t.is_space]
            assert a.lowers == want, (text, a.lowers, want)


def test_lemma_table_cache_is_used_checked_and_optional(tmp_path, monkeypatch):
    """The lemma table's fast copy: written on first load, read instead of the gzipped JSON after
    that, replaced when damaged; where it cannot be written the JSON still gives the table."""
    import gzip

    from radar.classify import analysis

    monkeypatch.setenv("RADAR_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    stale = tmp_path / "cache" / "lemma-en-1-deadbeef-py311m4.marshal"  # an earlier version's copy
    stale.write_bytes(b"old")
    other_lang = tmp_path / "cache" / "lemma-de-1-deadbeef-py311m4.marshal"
    other_lang.write_bytes(b"old")
    first = analysis.load_lemma_table("en")
    copies = list((tmp_path / "cache").glob("lemma-en-*.marshal"))
    assert len(copies) == 1 and len(first) > 10_000 and first["went"] == "go"
    assert not stale.exists() and other_lang.exists()  # replaced copies do not pile up

    def no_json(*a, **k):
        raise AssertionError("the JSON was read although the copy exists")

    with monkeypatch.context() as m:
        m.setattr(gzip, "open", no_json)
        assert analysis.load_lemma_table("en") == first
    copies[0].write_bytes(b"\x00damaged")
    assert analysis.load_lemma_table("en") == first  # read from the JSON again ...
    with monkeypatch.context() as m:
        m.setattr(gzip, "open", no_json)
        assert analysis.load_lemma_table("en") == first  # ... and the copy rewritten
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("RADAR_CACHE_DIR", str(tmp_path / "file" / "cache"))
    assert analysis.load_lemma_table("en") == first


def _fits_from_score(scorer: PersonaScorer, a) -> list[tuple]:
    """What ``PersonaScorer.fits`` must give, built from ``score`` and ``PersonaFit.as_dict``."""
    return [(f.name, f.title, f.fit, f.as_dict(),
             [f"{c.name}: {', '.join(c.evidence)} (+{c.points:g})" for c in f.criteria if c.points > 0], f.excluded_by)
            for f in scorer.score(a.lowers, a.lemmas, a.text, a.lang)]


def _exact(x):
    """Values with their types (1 == 1.0 == True in Python; the results must not change type)."""
    if isinstance(x, dict):
        return [(_exact(k), _exact(v)) for k, v in x.items()]
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_exact(v) for v in x])
    return type(x).__name__, repr(x)


@pytest.mark.parametrize("weight", [1.0, 0.7, 0.0, float("inf")])
def test_persona_fits_match_score(classifier, weight):
    """The classifier's fast persona path (``PersonaScorer.fits``: no objects, maxima rounded once,
    criteria nothing hit filled in directly) gives exactly ``score`` + ``as_dict``; an infinite
    weight takes the fallback through ``score``."""
    cfg = load_config(ROOT / "config")
    extra = PersonaConfig.model_validate({
        "name": "odd", "title": "", "languages": [], "exclude": ["*hiring*", "job offer"],
        "criteria": [
            {"name": "kw", "type": "keywords", "weight": weight, "values": [
                {"terms": ["*ware", "soft*", "*buch*", "new york", "Steuer*", "it support"], "points": 33.3},
                {"terms": ["the", "der", "und", "and", "app"], "points": 12.5}, {"terms": ["zero"], "points": 0}]},
            {"name": "kw", "type": "industry", "values": [{"terms": ["help", "hilfe"], "points": 5}]},
            {"name": "lang", "type": "language", "weight": 1.3, "values": [{"terms": ["EN"], "points": 7}, {"terms": ["de", "en"], "points": 3.3}]},
            {"name": "users", "type": "range", "unit": "users", "weight": 1.1,
             "ranges": [{"min": 1, "max": 10, "points": 10}, {"min": 5, "max": 1000, "points": 20.5}]},
            {"name": "emp", "type": "range", "unit": "employees", "weight": 0.3333, "ranges": [{"min": 1, "max": 60, "points": 9}]},
        ]})
    scorer = PersonaScorer(list(cfg.personas) + [extra])
    assert (scorer._fast is None) == (weight == float("inf"))
    posts = [(t, b) for _, _, t, b in REQUESTS] + [
        ("", ""), ("😀", ""), ("We are hiring: Buchhaltungssoftware in New York", "12 users, 50 employees, 3 Mitarbeiter"),
        ("Steuerberater gesucht", "Wir sind 60 Mitarbeiter und brauchen IT support und eine App. Stellenangebot"),
        ("Looking for a CRM and SEO agency in Berlin", "team of 30, b2b saas, 200 users"),
        ("Elektriker in Esslingen", "Kostenvoranschlag für Photovoltaik, Baden-Württemberg"),
        ("The app and the help", "der Server und die Hilfe, the firewall and the backup and the VPN"),  # > 3 hits of a list
        ("Wir sind 60 Mitarbeiter", "und 12 Nutzer"), ("Hallo", "wie geht's?"), ("Hello", "how are you?")]  # no term hits
    for lang in (None, "de", "en", "other"):
        for title, body in posts:
            a = classifier.analyzer.analyse(title, body, lang)
            got = scorer.fits(a.lowers, a.lemmas, a.text, a.lang)
            assert _exact(got) == _exact(_fits_from_score(scorer, a))
            for _name, _title, _fit, d, lines, _ex in got:  # fresh containers: changing them changes no later result
                lines.append("x")
                for c in d["criteria"].values():
                    c["evidence"].append("x")
                    c["points"] = -1
            assert _exact(scorer.fits(a.lowers, a.lemmas, a.text, a.lang)) == _exact(_fits_from_score(scorer, a))


def test_contributions_many_equal_per_row(classifier):
    """``contributions_many`` reads the top places of every row at once; it must give what
    ``contributions`` gives row by row, ties (equal contributions) in the same order included,
    for empty rows, rows shorter than ``top`` and rows with only zeros."""
    import copy

    import numpy as np
    from scipy import sparse

    model = classifier.model
    texts = [(t, b) for _, _, t, b in REQUESTS] + [("", ""), ("a", ""), ("😀", ""), ("ok", "ok")]
    X = model.matrix(classifier.analyse(texts))
    for top in (6, 1, 3, 50):
        assert model.contributions_many(X, top) == [model.contributions(X, i, top) for i in range(X.shape[0])]
    tied = copy.copy(model)
    rng = np.random.default_rng(6)
    n_cols = 40
    tied.coef = rng.choice([-1.0, -0.5, 0.0, 0.5, 1.0], size=n_cols)  # many equal products
    tied.feature_labels = [f"f{j}" for j in range(n_cols)]
    rows = []
    for i in range(300):
        cols = rng.choice(n_cols, size=int(rng.integers(0, 30)), replace=False)
        rows.append((sorted(cols), rng.choice([0.0, 0.25, 0.5, 1.0], size=len(cols))))
    indptr = np.cumsum([0] + [len(c) for c, _ in rows])
    Y = sparse.csr_matrix((np.concatenate([d for _, d in rows]), np.concatenate([c for c, _ in rows]).astype(np.int32), indptr),
                          shape=(len(rows), n_cols))
    for top in (6, 2):
        assert tied.contributions_many(Y, top) == [tied.contributions(Y, i, top) for i in range(Y.shape[0])]
    empty = sparse.csr_matrix((3, n_cols))
    assert tied.contributions_many(empty) == [([], [])] * 3


def _find_numbers_plain(text: str, unit: str) -> list[tuple[float, str]]:
    """find_numbers without its shortcuts (the digit test, the hints, trying only where numbers start)."""
    from radar.classify.personas import _to_int, _unit_regexes

    out = []
    for rx in _unit_regexes(unit):
        for m in rx.finditer(text):
            nums = [n for n in (_to_int(g) for g in m.groups()) if n is not None]
            if nums:
                out.append((float(sum(nums[:2]) / len(nums[:2])), m.group(0).strip()))
    seen, uniq = set(), []
    for v, p in out:
        if v not in seen:
            seen.add(v)
            uniq.append((v, p))
    return uniq


def test_find_numbers_shortcuts_change_nothing():
    """find_numbers searches two necessary conditions first (personas._unit_hints) and tries the
    number-first expressions only where numbers start: same results as plain finditer on texts
    built from numbers, separators, unit words and look-alikes in odd cases (Kelvin sign, long s,
    dotted I)."""
    import random

    from radar.classify.personas import UNIT_WORDS

    rnd = random.Random(6)
    words = sorted({w for ws in UNIT_WORDS.values() for w in ws}) + [
        "bis", "to", "köpfiges", "KÖPFIG", "person", "man", "Mann", "people", "er", "team", "Team", "firma", "company",
        "business", "office", "büro", "betrieb", "shop", "of", "von", "mit", "with", "about", "ca.", "ca", "rund", "etwa",
        "cars", "carss", "ſeats", "\u212aöpfig", "İ", "BİS", "TO", "days", "2019", "v1.2", "x", "a", ""]
    pieces = ["1", "5", "12", "30", "50", "70", "1.000", "1,200", "12.5", "007", "٣", "12er", "50-70", "50–70", "50+",
              " ", "  ", "\n", "-", "–", "+", ".", ",", "(", ")", ":", "/"]
    texts = ["Wir sind 60 Mitarbeiter", "team of 30", "Firma mit ca. 12", "ein 30-köpfiges Team", "12er Team",
             "50 bis 70 Mitarbeiter", "1.200 Nutzer", "200 users and 3 offices", "no numbers here", "2019 and 2020"]
    for _ in range(6000):
        texts.append("".join(rnd.choice(pieces) if rnd.random() < 0.55 else rnd.choice(words) + rnd.choice(["", " "])
                             for _ in range(rnd.randint(1, 12))))
    for unit in ("employees", "users", "locations", "seats", "Cars"):
        for text in texts:
            assert find_numbers(text, unit) == _find_numbers_plain(text, unit), (unit, text)


def _signal_family(words: str) -> str:
    """What a reader takes as one signal: the question features are one, a phrase group and its
    "(in a question)"/"(in the title)" variants are one."""
    questions = {"the title is a question", "asks questions", "starts a question with a question word", "mostly questions",
                 "contains a question", "der Titel ist eine Frage", "stellt Fragen", "beginnt eine Frage mit einem Fragewort",
                 "überwiegend Fragen", "enthält eine Frage"}
    if words in questions:
        return "questions"
    for suffix in (" (in a question)", " (in the title)", " (in einer Frage)", " (im Titel)"):
        words = words.removesuffix(suffix)
    return words


def test_the_explanation_does_not_name_a_signal_as_raising_and_lowering(classifier):
    # "Raised by: contains a question … Lowered by: asks questions" read as a contradiction
    r = classifier.classify("Outlook crashes on start", "Is there a way to stop Outlook from crashing on start?")
    assert "describes a problem" in r.evidence["raised"] and "describes a problem (in the title)" not in r.evidence["lowered"]
    posts = [(t, b, None) for _lang, _intent, t, b in DIRECT]
    posts += [(t, b, None) for t, b in [("Hilfe", "Wie bekomme ich mein Geld zurück? Ich habe zweimal bezahlt."),
                                        ("Was ist das?", "Was ist das für ein Turm? Weiß das jemand?"),
                                        ("", "Any advice? My printer prints blank pages. Any ideas?")]]
    checked = 0
    for res in classifier.classify_many(posts):
        up = {_signal_family(w) for w in res.evidence["raised"]}
        down = {_signal_family(w) for w in res.evidence["lowered"]}
        assert not up & down, (res.evidence["raised"], res.evidence["lowered"])
        checked += bool(res.evidence["raised"] and res.evidence["lowered"])
    assert checked > 10  # most of them have both sides


def test_the_explanation_names_no_stop_words(classifier):
    # "Spricht dafür: "nun" … Spricht dagegen: "und"", "Raised by: "to", "t"" told a consultant nothing
    from spacy.lang.de.stop_words import STOP_WORDS as DE
    from spacy.lang.en.stop_words import STOP_WORDS as EN

    posts = [("", "Und nun?"), ("", "Re: Mannheim24 Fahr ich Bahn?"),
             ("Drucker", "Mein Drucker druckt seit dem Update nur noch leere Seiten. Was kann ich tun?"),
             ("Kennt jemand einen Dachdecker in Leipzig?", "Bei uns regnet es durch, und zwar in der Küche."),
             ("What is this red thing on the train?", ""),
             ("Laptop won't boot", "I think it is the disk. It was fine yesterday but now it won't start at all.")]
    words_shown = []
    for res in classifier.classify_many(posts):
        stop = DE if res.lang == "de" else EN
        for w in res.evidence["raised"] + res.evidence["lowered"]:
            if w.startswith('"'):
                tokens = w.strip('"').split()
                words_shown.append(w)
                assert not all(t in stop or len(t) < 3 for t in tokens), (w, res.explanation)
    assert words_shown  # content words are still named ("drucker", "disk", …)


def test_reddit_posts_reads_recorded_listings_once_each(tmp_path, caplog):
    from radar.classify.dataset import reddit_posts

    def listing(*posts):
        return {"kind": "Listing", "data": {"children": [{"kind": "t3", "data": p} for p in posts]}}

    a = {"id": "a1", "subreddit": "AskReddit", "title": "What is the best free browser game to play?", "selftext": ""}
    b = {"id": "b2", "subreddit": "redditdev", "title": "Praw, opening a user page.", "selftext": "Is it possible?"}
    (tmp_path / "01_listing.json").write_text(json.dumps(listing(a, b)), encoding="utf-8")
    # a comment page ([post listing, comment listing]) repeating post a, and a response kept as a JSON string
    (tmp_path / "02_comments.json").write_text(json.dumps([listing(a), {"kind": "Listing", "data": {"children": [
        {"kind": "t1", "data": {"body": "not a post"}}]}}]), encoding="utf-8")
    c = {"id": "c3", "subreddit": "linux", "title": "Why aren't we using SSH for everything?", "selftext": None}
    (tmp_path / "03_string.json").write_text(json.dumps({"sampleNewsOutput": json.dumps(listing(c))}), encoding="utf-8")
    (tmp_path / "04_broken.json").write_text("{not json", encoding="utf-8")
    assert list(reddit_posts(tmp_path)) == [("a1", "AskReddit", a["title"], ""), ("b2", "redditdev", b["title"], "Is it possible?"),
                                            ("c3", "linux", c["title"], "")]
    # the broken file is named, not skipped in silence
    assert [r.getMessage() for r in caplog.records if "04_broken.json" in r.getMessage() and r.levelname == "WARNING"], caplog.text


def test_held_out_sources_are_never_trained_on(monkeypatch):
    from radar.classify import train
    from radar.classify.dataset import Example

    monkeypatch.setattr(train, "TEST_SOURCES", ("askreddit",))
    ex = [Example(f"{s}:{i}", "t", "b", i % 2, None, s, "en", i) for s in ("askreddit", "hn") for i in range(50)]
    tr, ev, test = train.split(ex)
    assert {e.source for e in test} == {"askreddit"} and len(test) == 50
    assert all(e.source == "hn" for e in tr + ev) and ev


def test_askreddit_hand_labels_match_the_recorded_posts():
    from radar.classify import dataset

    if not (dataset.default_data_dir() / "wire" / "reddit_json" / "bodies").is_dir():
        pytest.skip("needs ../shared/data/wire (not shipped with the repo)")
    ex = dataset.load_source("askreddit")
    assert len(ex) == 293 and sum(e.label for e in ex) == 7 and all(e.hand and e.lang == "en" for e in ex)
    req = {e.title for e in ex if e.label == 1}
    assert "What is the best free browser game to play?" in req
    assert "What is the best opening scene of a TV show ?" not in req


def test_what_is_sought_opens_the_title_or_the_body(classifier):
    forms = [a.direct for a in classifier.analyzer.analyse_many([
        ("Web designer for our bakery", "We are looking for a web designer who can build a simple site with online orders.", None),
        ("Mein Setup", "Hallo zusammen, ich suche nicht mehr, ich habe jetzt alles beisammen.", None),
        ("Elektriker", "Gestern war der Elektriker da. Wir suchen jetzt einen Parkplatz.", None),  # not the first sentence
        ("Suche einen Maler in Stuttgart", "", None),
        # later in the body only a professional sought counts (a statement form)
        ("Elektriker", "Gestern war der Elektriker da. Wir suchen jetzt einen Maler.", None)])]
    assert [f for f, _ in forms[0]] == ["seek"] and forms[0][0][1].startswith("We are looking for a web designer")
    assert forms[1] == [] and forms[2] == []
    assert [f for f, _ in forms[3]] == ["seek"]
    assert forms[4] == [("seek", "Wir suchen jetzt einen Maler")], forms[4]


@pytest.mark.parametrize("pattern,keys", [
    (r"\b(?:kann|könnte|könnt) (?:mir|uns) jemand", {"kan", "kön"}),  # the parser factors out the "k"
    (r"^\W*(?:ideen|tipps|vorschläge)\s*\?\s*$", {"ide", "tip", "vor"}),
    (r"\b(?:hat|habt) (?:hier )?(?:jemand|wer)\b", {"hat", "hab"}),
    (r"\bwo (?:kann|bekomme) ich\b", {"wo"}),  # a whole short word
    (r"\b(?:hi )?there\b", {"hi", "the"}),  # an optional start: either may begin the match
    (r"\b(?:anyone|y'all) (?:here )?know", {"any", "y"}),  # "y'all": the word "y" ends at the apostrophe
    (r"\b[Ww]hich\b", {"whi"}),
    (r"^\W*(?![^?]*\bfavou?rite)which\b", {"whi"}),  # a look-ahead takes no text
    # nothing literal to key on, or no word boundary: always tried
    (r"(?:\boder|,) (?:was|etwas) anderes\s*\?", None),
    (r"gibt es", None),
    (r"\b\w+ jemand", None),
    (r"\b(?:wo|\w+) gibt", None),
    (r"\bw(?:o|\w)", None),
])
def test_word_start_keys_are_read_off_the_expression(pattern, keys):
    from radar.classify.patterns import word_start_keys

    got = word_start_keys(re.compile(pattern, re.IGNORECASE))
    assert (set(got) if got is not None else None) == keys


def test_word_start_keys_fall_back_to_always_trying_a_form(monkeypatch):
    # the keys are read with CPython's private parser: a Python that changes it must cost speed only
    from radar.classify import patterns
    from radar.classify.analysis import Analyzer

    def changed(*_a, **_k):
        raise AttributeError("module 're._parser' has no attribute 'parse'")

    rx = re.compile(r"\bkann mir jemand", re.IGNORECASE)
    assert patterns.word_start_keys(rx) == {"kan"}
    monkeypatch.setattr(patterns, "_read_word_start_keys", changed)
    assert patterns.word_start_keys(rx) is None
    analyzer = Analyzer()
    questions = analyzer._direct["de"][0]
    assert analyzer._question_keys["de"] == (tuple(range(len(questions))), {})
    a = analyzer.analyse("Steuerberater", "Kann mir jemand einen Steuerberater in Stuttgart empfehlen?")
    assert ("recommendation", "Kann mir jemand einen Steuerberater in Stuttgart empfehlen") in a.direct, a.direct


def _posts_for_key_check() -> list[tuple[str, str, str | None]]:
    """This module's example posts and, where ../shared/data is present, the request-rich sources
    in full and every 25th post of the others, each also in capitals."""
    from radar.classify import dataset

    items = [(t, b, lang) for lang, _i, t, b in REQUESTS + DIRECT]
    items += [(t, b, None) for row in NOT_REQUESTS for t, b in [row[-2:]]]
    if dataset.available():
        for i, e in enumerate(dataset.load_all()):
            rich = e.source in ("stuttgart", "computer_forum", "techsupport", "softwarerecs", "askreddit")
            if rich or i % 25 == 0:
                items.append((e.title, e.body, e.lang))
    return items + [((t or "").upper(), (b or "").upper(), lang) for t, b, lang in items]


def test_forms_tried_by_word_key_find_what_trying_every_form_finds(classifier):
    # the analyser tries a question or statement form only where one of the text's words has the
    # form's key (patterns.word_start_keys); trying every form must find exactly the same forms
    import copy

    every = copy.copy(classifier.analyzer)
    every._question_keys = {lang: (tuple(range(len(f[0]))), {}) for lang, f in every._direct.items()}
    every._statement_keys = {lang: (tuple(range(len(f[2]))), {}) for lang, f in every._direct.items()}
    items = _posts_for_key_check()
    keyed = [a.direct for a in classifier.analyzer.analyse_many(items)]
    full = [a.direct for a in every.analyse_many(items)]
    assert sum(map(bool, full)) >= 20  # the check sees forms at all
    assert keyed == full
    # and the index really leaves most forms out
    qs, by_key = classifier.analyzer._question_keys["de"]
    assert len(qs) <= 5 and len(by_key) >= 30


def test_a_post_of_one_or_two_words_does_not_get_a_word_s_full_weight(classifier):
    # TF-IDF rows are l2-normalised: alone, "hallo" or "i" had the weight a long post's words share
    # ("hallo" 0.76 and "i mog eam" 0.87 with bundled-6); rows with fewer than `short_words`
    # word n-grams are scaled down by sqrt(n / short_words)
    import copy

    model = classifier.model
    assert vars(model.options)["short_words"] == 6
    for text in ("hallo", "i mog eam", "i"):
        assert classifier.classify("", text).request_probability < 0.3, text
    a_short, a_long = classifier.analyzer.analyse_many([
        ("", "hallo", None),
        ("Drucker", "Hallo, mein Drucker druckt seit dem Update nur noch leere Seiten. Was kann ich tun?", None)])
    unscaled = copy.copy(model)
    unscaled.options = copy.copy(model.options)
    del unscaled.options.short_words  # a model saved before the option: no scaling
    plain_short, plain_long = (unscaled.matrix([a]) for a in (a_short, a_long))
    n_words = len(model.word_vec.vocabulary)
    got = model.matrix([a_short]).toarray()[0]
    want = plain_short.toarray()[0]
    # the text blocks scaled by sqrt(1/6) ("hallo" is one word n-gram), the pattern block not
    assert got[:n_words] == pytest.approx(want[:n_words] * (1 / 6) ** 0.5, rel=1e-5)
    assert got[n_words:len(model.feature_labels) - len(model.pattern_scale)] == pytest.approx(
        want[n_words:len(model.feature_labels) - len(model.pattern_scale)] * (1 / 6) ** 0.5, rel=1e-5)
    assert got[-len(model.pattern_scale):] == pytest.approx(want[-len(model.pattern_scale):])
    # a post of many words is not touched
    assert model.matrix([a_long]).toarray() == pytest.approx(plain_long.toarray())


@pytest.mark.parametrize("lang,title,body,phrase", [
    ("de", "Was ging beim Milaneo ab?", "Weiß jemand zufällig, was hier heute los war beim Milaneo?", "Was ging"),
    ("de", "Blaulicht", "Weiß jemand, was da gestern Abend los war?", "los war"),
    ("en", "", "Police everywhere downtown this morning. Does anyone know what was going on?", "what was going on"),
])
def test_curiosity_about_an_event_is_named_and_not_a_request(classifier, lang, title, body, phrase):
    # the city forum's "what was going on here?" (labelled posts with these phrases: 5, none a request)
    r = classifier.classify(title, body)
    assert r.lang == lang and not r.is_request, r.explanation
    assert any(m["group"] == "curiosity" and m["phrase"] == phrase for m in r.evidence["phrases"]), r.evidence["phrases"]


def test_every_direct_form_has_a_label_and_an_intent():
    """A form without a label would fail the explanation (KeyError), one without an intent entry would
    silently leave the intent to the model."""
    from radar.classify import patterns
    from radar.classify.classifier import DIRECT_INTENTS

    forms = {"fault", "purchase", "comparison", "seek"}
    for table in (patterns.DIRECT_QUESTIONS, patterns.DIRECT_STATEMENTS, patterns.DIRECT_TITLES):
        for by_form in table.values():
            forms |= set(by_form)
    for entries in patterns.DIRECT_OPENINGS.values():
        forms |= {e[0] for e in entries if isinstance(e, tuple)}
    assert {"hire", "vet", "provider", "support"} <= forms
    assert forms <= set(patterns.DIRECT_LABELS), forms - set(patterns.DIRECT_LABELS)
    assert forms <= set(DIRECT_INTENTS), forms - set(DIRECT_INTENTS)
