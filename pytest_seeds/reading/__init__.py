"""Reading seeds: Markdown and YAML become a frozen :class:`~pytest_seeds.model.Seed`."""
