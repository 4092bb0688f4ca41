"""Spiders: fetch and parse only. Each yields :class:`MentionItem` and follow-up Requests and
never opens the database. ``SPIDERS`` maps a source kind to its spider class."""
