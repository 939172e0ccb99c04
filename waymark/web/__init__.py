"""Pages that combine apps (the dashboard, search, a young person's page) and the URL modules."""
