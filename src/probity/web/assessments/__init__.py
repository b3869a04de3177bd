"""The analyst's judgement sections of the strategic threat assessment (kept apart from the
figures, which `probity report threat-assessment` regenerates at will)."""
