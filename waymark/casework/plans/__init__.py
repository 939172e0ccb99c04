"""The context plan: goals derived from assessment findings, owned actions, and measures."""
