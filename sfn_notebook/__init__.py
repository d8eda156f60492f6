"""sfn-notebook."""
