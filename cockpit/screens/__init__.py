"""Modal screens: help, prompts, confirm, detail, metric chart."""
