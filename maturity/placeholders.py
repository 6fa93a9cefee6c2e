"""What the facts template writes in an organisation's header until it is filled in: one place
for the templates (YAML, questionnaire sheets) and the check that refuses them left in."""

PLACEHOLDERS = {"name": "Client name", "assessed_on": "YYYY-MM-DD", "consultant": "Your name"}

__all__ = ["PLACEHOLDERS"]
