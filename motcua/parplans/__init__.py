"""Yearly PAR plans with their tasks, and internal administrative procedures with their simplification plans."""
