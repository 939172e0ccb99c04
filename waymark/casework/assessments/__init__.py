"""Assessments of a context case: every kind, with methods, voices, evidence and re-assessment."""
