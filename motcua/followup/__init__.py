"""The follow-up register: recommendations from inspections, council supervision and PAR
appraisal, followed until they are closed."""
