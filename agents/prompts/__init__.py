"""The prompts the LLM agent is given, as files: read them to see exactly what a model reads."""
