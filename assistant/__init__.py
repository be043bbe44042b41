"""kefu-assistant: the service beside a shop agent's chat console."""

__version__ = "0.1.0"
