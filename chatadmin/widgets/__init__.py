"""The main screen's widgets: metrics bar, filter bar and the virtual conversation table."""
