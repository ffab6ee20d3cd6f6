# Production image: gunicorn serves Django, the same image runs the Celery worker and beat.
FROM python:3.11-slim-bookworm

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
       libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2 \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.lock pyproject.toml ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN pip install --no-cache-dir --no-deps . \
    && SECRET_KEY=collectstatic FIELD_ENCRYPTION_KEY=ZGV2LW9ubHktZmllbGQta2V5LW5vdC1zZWNyZXQtMDA= \
       IDENTITY_HASH_KEY=collectstatic-only-identity-hash-key-0000 \
       DATABASE_URL=sqlite:////tmp/unused.sqlite3 python manage.py collectstatic --noinput

RUN useradd --create-home gruppstod && mkdir -p /app/media && chown gruppstod /app/media
USER gruppstod
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
