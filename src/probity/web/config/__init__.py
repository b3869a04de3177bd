"""Django project configuration: settings from environment variables only."""
