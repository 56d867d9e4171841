# The image the `docker` sandbox runs workers in (docker build -t kernelwright-worker
# -f sandbox/worker.Dockerfile .). The project itself is mounted read-only at run time.
FROM python:3.11-slim
RUN pip install --no-cache-dir "numpy>=1.26" "pydantic>=2.6"
