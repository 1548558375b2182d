"""Survey rounds: questionnaire forms out, returned forms collected in."""
