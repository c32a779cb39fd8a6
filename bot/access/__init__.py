""" "Get my kubectl access": a short-lived token for the participant's own ServiceAccount, in a
kubeconfig file sent to their DM with Podium. render.py is pure (expiry, kubeconfig text, the DM
message, `/workshop` parsing); service.py does the I/O (TokenRequest, the upload)."""
