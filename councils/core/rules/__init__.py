"""Pure rules: vote thresholds, eligibility, terms, recall and the constitution."""
