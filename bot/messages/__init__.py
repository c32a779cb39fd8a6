"""Neutral message shaping: escaping (`text`), Slack's size limits (`limits`) and Block Kit
builders (`blocks`). Pure and below every feature, so slides, questions, exercises and kubectl
format their answers without importing the Slack layer."""
