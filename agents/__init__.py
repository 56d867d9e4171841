"""Who writes kernels: baselines that need no model, and (later) LLM agents."""
