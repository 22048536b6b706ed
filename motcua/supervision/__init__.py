"""People's Council supervision: programmes, delegations, sessions, reports (Law 87/2015)."""
