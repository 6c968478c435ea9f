"""chatadmin: a terminal console for the admin section of a WhatsApp agent platform."""

__version__ = "0.1.0"
