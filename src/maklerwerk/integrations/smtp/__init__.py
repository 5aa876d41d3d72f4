"""SMTP adapter: open a mailer, send one message, classify failures (see client.py)."""
