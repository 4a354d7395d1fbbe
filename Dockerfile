# The project on a CUDA base: what cluster.yaml's docker option and deploy/rayjob.yaml run.
#
#   docker build -t ghcr.io/emojitags/emojitags:0.1.0 .
#   docker push ghcr.io/emojitags/emojitags:0.1.0
#
# Python 3.11 (the project's requires-python) from Ubuntu 22.04's own packages; the CUDA build
# of the pinned torch from the PyTorch index (its wheels carry their CUDA libraries, the base
# only needs to match the driver); then the project, installed as the Makefile installs it.
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu22.04

ARG TORCH_INDEX=https://download.pytorch.org/whl/cu128
ENV DEBIAN_FRONTEND=noninteractive \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RAY_USAGE_STATS_ENABLED=0 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# KubeRay and the cluster launcher run `ray start` through bash and need a few tools beside it.
# Ubuntu's packages follow the base's release and pip is upgraded on purpose: no pins there.
# hadolint ignore=DL3008,DL3013
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        python3.11 python3.11-venv python3.11-dev build-essential git rsync openssh-client \
        curl ca-certificates tini \
    && rm -rf /var/lib/apt/lists/* \
    && python3.11 -m venv /opt/venv \
    && pip install --upgrade pip

WORKDIR /app

# Dependencies first (a layer that survives code edits): torch, then the project's pins.
COPY pyproject.toml README.md ./
RUN pip install torch==2.13.0 --index-url "$TORCH_INDEX" --extra-index-url https://pypi.org/simple

COPY . .
RUN pip install -e . \
    && python -c "import torch, ray, mlflow, orchestration; print(torch.__version__, ray.__version__, mlflow.__version__)"

ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["bash"]
