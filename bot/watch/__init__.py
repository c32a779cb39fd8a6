"""Watching the cluster the way Kubernetes clients do: one list+watch stream per namespace and
kind, shared by every feature that needs to know when objects change (notifications, the room
board, `/kubectl get -w`)."""
