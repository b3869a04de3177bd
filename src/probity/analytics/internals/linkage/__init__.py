"""Staff-to-nominal record linkage (Splink) behind `probity.analytics.link`."""
