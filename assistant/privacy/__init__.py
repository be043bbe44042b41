"""Personal data: the full receiver address for editing, a supervisor's export, and ``kefu purge``."""
