"""Business Radar: finds public help requests and routes them as leads to consultants and partners."""

__version__ = "0.1.0"
