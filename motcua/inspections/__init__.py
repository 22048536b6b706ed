"""Inspections of public-service discipline: yearly plans with targets, inspections, teams, findings."""
