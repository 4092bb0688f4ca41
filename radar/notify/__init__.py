"""E-mail: a queue in the database, digests, partner teasers, reminders, weekly KPI reports,
and one-click action tokens.

- :mod:`radar.notify.mailer`: ``enqueue_email``/``enqueue_mail`` (caller's transaction) and the
  sender job ``send_pending(session_factory, cfg)``.
- :mod:`radar.notify.digest`: ``enqueue_consultant_digests``, ``enqueue_partner_teasers``,
  ``enqueue_feedback_reminders``, ``enqueue_escalation_notice(s)``.
- :mod:`radar.notify.weekly`: ``enqueue_weekly_reports`` with an inline matplotlib chart.
- :mod:`radar.notify.tokens`: ``make_token``, ``read_token``, ``redeem_token``.
- :mod:`radar.notify.jobs`: the functions the service schedules.
"""
