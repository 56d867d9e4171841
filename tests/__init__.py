"""kernelwright tests (a package so sandboxed workers can import test-only targets)."""
