"""Exports: CSV/JSON Lines files of leads, and signed webhooks from the outbox.

- :func:`radar.export.files.export_leads` writes leads as CRM-friendly CSV or JSON Lines.
- :func:`radar.export.webhooks.deliver_outbox` delivers pending lead events (a scheduled job).
- :mod:`radar.export.signing` signs and verifies Standard Webhooks signatures.
"""
