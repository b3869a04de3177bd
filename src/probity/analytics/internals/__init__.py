"""Private internals of the analytics: indicators, scoring, engines, linkage."""
