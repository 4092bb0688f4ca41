"""Which pages each role sees (the dashboard's navigation, also read by the tests)."""

from __future__ import annotations

# file in app_pages, title, icon
# Material icons ship with Streamlit's frontend; emoji need fonts a server browser may lack.
OVERVIEW = ("overview.py", "Overview", ":material/home:")
TODAY = ("today.py", "Today", ":material/inbox:")
RADARS = ("radars.py", "Radars", ":material/radar:")
PICK_LIST = ("pick_list.py", "Pick list", ":material/front_hand:")
MY_LEADS = ("my_leads.py", "My leads", ":material/handshake:")
CLASSIFIER = ("classifier.py", "Classifier", ":material/model_training:")
SOURCES = ("sources.py", "Sources", ":material/rss_feed:")
REPORTS = ("reports.py", "Reports", ":material/monitoring:")

PAGES_BY_ROLE: dict[str, list[tuple[str, str, str]]] = {
    "admin": [OVERVIEW, TODAY, RADARS, CLASSIFIER, SOURCES, REPORTS],
    "marketing": [OVERVIEW, TODAY, RADARS, CLASSIFIER, REPORTS],
    "consultant": [TODAY, RADARS, OVERVIEW, REPORTS],
    "qualifier": [TODAY, OVERVIEW],
    "partner": [PICK_LIST, MY_LEADS, RADARS, REPORTS],
}
