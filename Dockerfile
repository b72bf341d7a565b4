# One image for every process of the service: web, worker and scheduler differ only in their command
# (see docker-compose.yml and Procfile).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    MARKSIX_HOME=/data

# The post card needs a CJK font; nothing else here needs a system package.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install '.[postgres,redis]' \
    && useradd --create-home --uid 10001 marksix \
    && mkdir -p /data && chown marksix:marksix /data

USER marksix
VOLUME ["/data"]
EXPOSE 8000
CMD ["marksix", "serve", "--web-only", "--host", "0.0.0.0", "--port", "8000"]
