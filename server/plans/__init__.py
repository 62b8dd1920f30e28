"""Safety plans, consent, disclosures, locations, local resources and alerts."""
