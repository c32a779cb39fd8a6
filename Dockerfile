# syntax=docker/dockerfile:1
# Podium's image: the project built as a wheel (with its dependencies' wheels) in a build stage,
# installed offline in a slim final stage that has no build tools and runs as a non-root user.
#
#   docker build -t registry.example.com/podium:0.1.0 .
#   docker run -e SLACK_BOT_TOKEN=… -e SLACK_SIGNING_SECRET=… -p 3000:3000 registry.example.com/podium:0.1.0
#   Socket Mode (the Procfile's worker) instead of HTTP (its web):
#   docker run -e SLACK_BOT_TOKEN=… -e SLACK_APP_TOKEN=… registry.example.com/podium:0.1.0 python -m bot socket
ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
# The runtime dependencies come from the lock (exact versions, every file's hash checked): the
# same set on every build. Then exactly what `pip install .` reads: the project metadata
# (pyproject.toml, README.md) and the package, built without resolving anything again.
COPY requirements.lock pyproject.toml README.md ./
COPY bot ./bot
RUN pip wheel --wheel-dir /wheels --require-hashes -r requirements.lock \
 && pip wheel --wheel-dir /wheels --no-deps .

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PORT=3000 \
    PODIUM_STATE=/var/lib/podium/podium-state.db \
    PODIUM_SLIDES=/opt/podium/slides
# Install the project from the build stage's wheels only (--no-index: no second resolution that
# could drift from the first); the wheels are mounted, not copied, so they add no layer.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links /wheels podium \
 && groupadd --system --gid 10001 podium \
 && useradd --system --uid 10001 --gid podium --home-dir /var/lib/podium --shell /usr/sbin/nologin podium \
 && install -d -o podium -g podium -m 0750 /var/lib/podium
# The course decks (Markdown + images) are data, not part of the wheel: /slides reads them here.
COPY --chown=root:root slides /opt/podium/slides
# The exercises' reference solutions, which `/exercise solution N` shows (paths relative to /opt/podium).
COPY --chown=root:root manifests/exercises /opt/podium/manifests/exercises
# Numeric, so Kubernetes' runAsNonRoot can verify it (manifests/bot uses the same 10001).
USER 10001:10001
WORKDIR /var/lib/podium
EXPOSE 3000
CMD ["python", "-m", "bot", "serve"]
