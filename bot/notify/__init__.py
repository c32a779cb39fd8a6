"""Podium notices: a participant's failing pod becomes a DM with the reason and the next step,
and the instructor's room board shows who is stuck."""
