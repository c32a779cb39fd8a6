"""Instructor tools run from a terminal with the instructor's own cluster access: they write
manifests and kubeconfigs for Podium, they are not part of the running bot."""
