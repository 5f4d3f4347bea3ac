"""Running a seed: templates, tokens and routing, steps, extraction."""
