"""Exploit kernels and sandbox probes: each must be rejected with the right reason."""
