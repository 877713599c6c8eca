"""Server-rendered HTML pages for curriculum planners (templates, static files, SVG)."""
