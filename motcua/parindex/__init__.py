"""The PAR index: criteria sets as data files, self-assessment, appraisal, survey, index and ranking."""
