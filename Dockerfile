FROM node:20-slim AS frontend
WORKDIR /app
COPY package.json package-lock.json ./
# Production needs only the served packages; devDependencies (axe-core) are for the tests.
RUN npm ci --omit=dev --no-audit --no-fund

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml requirements.lock README.md ./
COPY . .
COPY --from=frontend /app/node_modules ./node_modules
RUN pip install --no-cache-dir -c requirements.lock . \
    && useradd --create-home bearing && mkdir -p var && chown -R bearing var
USER bearing
# collectstatic needs only a placeholder secret; the real one comes from the environment.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-placeholder-value-that-is-long-enough-1234567890 \
    ALLOWED_HOSTS=localhost python manage.py collectstatic --noinput
EXPOSE 8000
