# The production image: front-end packages from npm, Python wheels built apart, and a final
# image with neither build tools nor npm that runs as a non-root user. docker-compose.yml runs
# it as web (the default command), worker and beat.
FROM node:20-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
# Production needs only the served packages; devDependencies (axe-core) are for the tests.
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim AS wheels
WORKDIR /build
COPY pyproject.toml requirements.lock README.md ./
# Wheels of every dependency at the locked versions; rebuilt only when these files change.
RUN pip wheel --no-cache-dir --wheel-dir /wheels -c requirements.lock .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY --from=wheels /wheels /wheels
RUN pip install --no-cache-dir --no-index --find-links /wheels /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --create-home bearing
COPY . .
COPY --from=frontend /app/node_modules ./node_modules
RUN mkdir -p var && chown -R bearing var
USER bearing
# collectstatic needs only a placeholder secret; the real one comes from the environment.
# WhiteNoise serves the collected files, compressed and with hashed names.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-placeholder-value-that-is-long-enough-1234567890 \
    ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput
EXPOSE 8000
# /health/ answers 200 when the database, the cache and the broker are reachable. Containers
# of this image that run no web server (worker, beat) set their own check in docker-compose.yml.
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 \
    CMD ["python", "-m", "scorecard.health_probe"]
CMD ["gunicorn", "scorecard.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
