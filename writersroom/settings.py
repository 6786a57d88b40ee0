"""Settings read from the environment, with safe production defaults.

DEBUG is off unless DEBUG=1; without DEBUG a SECRET_KEY must be given.
DATABASE_URL unset means SQLite in the project folder (the embedded default
for `make run`); tests and docker-compose run on Postgres.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in ("1", "true", "yes", "on")


DEBUG = env_bool("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
_RUN_KEY = BASE_DIR / ".run" / "secret_key"  # made by `make run`: commands beside it use the same key
if not SECRET_KEY and _RUN_KEY.is_file():
    SECRET_KEY = _RUN_KEY.read_text().strip()
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key"

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "scripts_app",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "writersroom.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "scripts_app.context_processors.membership",
            ],
        },
    },
]
ASGI_APPLICATION = "writersroom.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves a small room: readers don't wait for writers (WAL), writers queue
    # for the lock instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# A room relays every keystroke of an episode through one channel per server process: the default
# capacity of 100 messages would drop edits under a burst. A drop is still survivable (rooms read what
# they missed from the database), but it costs a second of delay.
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        # redis-py's default 5 s socket timeout is shorter than channels-redis' own 5 s blocking
        # reads: an idle group would time out and close the websocket listening on it.
        "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}], "capacity": 2000, "expiry": 30},
    }
}
# The episode document's websocket (collab/): frame size and a per-connection rate. Daphne itself drops
# frames over 1 MiB; below that a too-large change gets a message (a whole episode pasted is ~600 KB).
COLLAB_MAX_MESSAGE_BYTES = int(os.environ.get("COLLAB_MAX_MESSAGE_BYTES", str(900 * 1024)))
COLLAB_MESSAGES_PER_SECOND = float(os.environ.get("COLLAB_MESSAGES_PER_SECOND", "60"))
COLLAB_MESSAGE_BURST = float(os.environ.get("COLLAB_MESSAGE_BURST", "300"))
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_SERIALIZER = "json"
# The AI tasks live in scripts_app/ai/tasks.py (autodiscovery only finds scripts_app/tasks.py).
CELERY_IMPORTS = ("scripts_app.ai.tasks",)

# The model is any OpenAI-compatible endpoint (OpenAI, DeepSeek, Qwen, Ollama, vLLM).
LLM_BASE_URL = os.environ.get("LLM_BASE_URL", "http://127.0.0.1:11434/v1")
LLM_API_KEY = os.environ.get("LLM_API_KEY", "")
LLM_MODEL = os.environ.get("LLM_MODEL", "")

# The endpoints a series' showrunner may pick from (scripts_app/ai/client.py is the one place that calls
# them). Keys are read from the environment variable named in "api_key_env" at call time: never stored
# in the database, never shown on a page. A preset is offered only when its variables are set.
#   "json_schema": the endpoint honours response_format json_schema (strict structured output); without
#       it the client asks for json_object and puts the word "json" in the prompt (DeepSeek and Qwen
#       refuse json_object otherwise). Either way the answer is validated with pydantic.
#   "prompt_caching": how the provider caches a prompt's stable prefix. Prompts put the stable parts
#       (rules, bible, style guide) first so a repeated prefix is cheap; nothing to switch on here.
#   "price_in" / "price_out": per million tokens, for the cost estimate only (0: unknown).
LLM_PRESETS = {
    # Whatever LLM_BASE_URL / LLM_API_KEY / LLM_MODEL point at (the server's default endpoint).
    "default": {
        "label": "Server default",
        "base_url": LLM_BASE_URL,
        "api_key_env": "LLM_API_KEY",
        "model": LLM_MODEL,
        "json_schema": env_bool("LLM_JSON_SCHEMA", True),
        "prompt_caching": "depends on the server",
        "price_in": float(os.environ.get("LLM_PRICE_IN", "0")),
        "price_out": float(os.environ.get("LLM_PRICE_OUT", "0")),
        "enabled": bool(LLM_BASE_URL and LLM_MODEL),
    },
    "openai": {
        "label": "OpenAI",
        "base_url": os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1"),
        "api_key_env": "OPENAI_API_KEY",
        "model": os.environ.get("OPENAI_MODEL", "gpt-4o-mini"),
        "json_schema": True,
        "prompt_caching": "automatic for prompts over 1024 tokens (identical prefix)",
        "price_in": float(os.environ.get("OPENAI_PRICE_IN", "0")),
        "price_out": float(os.environ.get("OPENAI_PRICE_OUT", "0")),
        "enabled": bool(os.environ.get("OPENAI_API_KEY")),
    },
    "deepseek": {
        "label": "DeepSeek",
        "base_url": os.environ.get("DEEPSEEK_BASE_URL", "https://api.deepseek.com/v1"),
        "api_key_env": "DEEPSEEK_API_KEY",
        "model": os.environ.get("DEEPSEEK_MODEL", "deepseek-chat"),
        "json_schema": False,  # json_object only; the prompt must say "json"
        "prompt_caching": "automatic context caching on disk (repeated prefixes billed as cache hits)",
        "price_in": float(os.environ.get("DEEPSEEK_PRICE_IN", "0")),
        "price_out": float(os.environ.get("DEEPSEEK_PRICE_OUT", "0")),
        "enabled": bool(os.environ.get("DEEPSEEK_API_KEY")),
    },
    "qwen": {
        "label": "Qwen (DashScope compatible mode)",
        "base_url": os.environ.get("DASHSCOPE_BASE_URL", "https://dashscope.aliyuncs.com/compatible-mode/v1"),
        "api_key_env": "DASHSCOPE_API_KEY",
        "model": os.environ.get("QWEN_MODEL", "qwen-plus"),
        "json_schema": False,  # json_object; the prompt must say "json"
        "prompt_caching": "implicit context cache on supported models (repeated prefixes)",
        "price_in": float(os.environ.get("QWEN_PRICE_IN", "0")),
        "price_out": float(os.environ.get("QWEN_PRICE_OUT", "0")),
        "enabled": bool(os.environ.get("DASHSCOPE_API_KEY")),
    },
    "ollama": {
        "label": "Ollama (local)",
        "base_url": os.environ.get("OLLAMA_BASE_URL", ""),  # e.g. http://127.0.0.1:11434/v1
        "api_key_env": "OLLAMA_API_KEY",  # Ollama ignores keys; the client needs a non-empty one
        "model": os.environ.get("OLLAMA_MODEL", "qwen2.5:7b"),
        "json_schema": True,
        "prompt_caching": "keeps the last prompt's KV cache while the model stays loaded",
        "price_in": 0.0,
        "price_out": 0.0,
        "enabled": bool(os.environ.get("OLLAMA_BASE_URL")),
    },
    "vllm": {
        "label": "vLLM (self-hosted)",
        "base_url": os.environ.get("VLLM_BASE_URL", ""),  # e.g. http://gpu-box:8000/v1
        "api_key_env": "VLLM_API_KEY",  # whatever `vllm serve --api-key` was given, if anything
        "model": os.environ.get("VLLM_MODEL", ""),
        "json_schema": True,  # guided decoding
        "prompt_caching": "automatic prefix caching when the server runs with it on",
        "price_in": 0.0,
        "price_out": 0.0,
        "enabled": bool(os.environ.get("VLLM_BASE_URL") and os.environ.get("VLLM_MODEL")),
    },
}
LLM_ENDPOINTS = {name: preset for name, preset in LLM_PRESETS.items() if preset["enabled"]}
# Explicit limits for every model call: the openai client's own defaults (10 minutes) are far too long.
LLM_CONNECT_TIMEOUT = float(os.environ.get("LLM_CONNECT_TIMEOUT", "5"))
# Between two bytes of an answer (a streamed answer may take minutes in total, a silent one may not).
LLM_READ_TIMEOUT = float(os.environ.get("LLM_READ_TIMEOUT", "60"))
# Retries before the first token (429 honouring Retry-After, 5xx, timeouts, dropped connections).
LLM_MAX_RETRIES = int(os.environ.get("LLM_MAX_RETRIES", "2"))
# A Retry-After longer than this is not waited for: the suggestion fails with the reason instead.
LLM_MAX_RETRY_AFTER = float(os.environ.get("LLM_MAX_RETRY_AFTER", "30"))
LLM_MAX_OUTPUT_TOKENS = int(os.environ.get("LLM_MAX_OUTPUT_TOKENS", "4000"))
# What a prompt may hold; the least relevant context is dropped first to stay under it.
LLM_PROMPT_TOKEN_BUDGET = int(os.environ.get("LLM_PROMPT_TOKEN_BUDGET", "12000"))
# AI tasks (scripts_app/ai/tasks.py): a soft limit the task turns into a "failed" suggestion, then a hard
# one; a running suggestion whose heartbeat is older than AI_STALE_AFTER lost its worker.
AI_TASK_SOFT_TIME_LIMIT = int(os.environ.get("AI_TASK_SOFT_TIME_LIMIT", "600"))
AI_TASK_TIME_LIMIT = AI_TASK_SOFT_TIME_LIMIT + 30
AI_HEARTBEAT_SECONDS = float(os.environ.get("AI_HEARTBEAT_SECONDS", "5"))
AI_STALE_AFTER_SECONDS = float(os.environ.get("AI_STALE_AFTER_SECONDS", "90"))
# A request beyond its series' concurrency limit waits this long before trying again.
AI_BUSY_RETRY_SECONDS = 3
# Where `celery beat` runs, it also sweeps suggestions whose worker died (requests and the AI page
# sweep their own series anyway, so nothing depends on beat running).
CELERY_BEAT_SCHEDULE = {
    "ai-sweep-stale-suggestions": {"task": "scripts_app.ai.tasks.sweep_stale_suggestions", "schedule": 60.0},
}
# Live progress to the series' pages while a proposal streams in.
AI_PROGRESS_INTERVAL = 0.15

# Django's full set: not like the username or e-mail, long enough, not a common or all-digit password.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "project_list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True

# Script uploads: anything larger is refused with a message before it is parsed.
SCRIPT_UPLOAD_MAX_BYTES = int(os.environ.get("SCRIPT_UPLOAD_MAX_BYTES", str(5 * 1024 * 1024)))
# A scene's text; far above any real scene, low enough to refuse a pasted novel.
SCENE_TEXT_MAX_CHARS = int(os.environ.get("SCENE_TEXT_MAX_CHARS", "200000"))
# What each process (web server, Celery child) keeps in memory of derived scene text, in bytes: at most
# 200 MB for both caches together by default, whatever the texts (each entry is sized by what it holds).
# Parsed scenes (scripts_app/script_text.py): an ordinary 1,000-character scene takes about 25 KB.
SCENE_PARSE_CACHE_BYTES = int(os.environ.get("SCENE_PARSE_CACHE_BYTES", str(120 * 1024 * 1024)))
# The read view's HTML per scene text and number (scripts_app/read_view.py).
SCENE_HTML_CACHE_BYTES = int(os.environ.get("SCENE_HTML_CACHE_BYTES", str(80 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 3 * 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "scripts_app.uploads.ScriptSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True  # pages hand the token to htmx and the editor in hx-headers
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES")
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES")
    SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "scripts_app.views.errors.csrf_failure"  # the app's 403 page, saying what to do

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"forbidden_one_line": {"()": "writersroom.log.ForbiddenOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # A request's errors go to the console once, whatever DEBUG says: not on to "django", whose own
    # console handler prints in DEBUG, nor to the root's. The filter is on the logger, so the one
    # handler gets the one-line 403.
    "loggers": {
        "django.request": {"filters": ["forbidden_one_line"], "handlers": ["console"], "propagate": False}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# E-mail: invitations by address are sent as a link (scripts_app/services/projects.py). The console
# backend, the default, prints each message to the server's output, so `make run` needs no mail server;
# EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend with EMAIL_HOST (and the rest) sends them.
# An empty variable (docker compose passes them all) means the default.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND") or "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or "Writers' Room <noreply@localhost>"
EMAIL_HOST = os.environ.get("EMAIL_HOST") or "localhost"
EMAIL_PORT = int(os.environ.get("EMAIL_PORT") or "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT") or "10")  # seconds: a dead mail server fails the invite

# ---- Hardening (issue 10): limits, jobs that die, logins, headers ------------------------------------

# Episode numbers a series may use; beyond this an import or a form says so instead of failing in the
# database (Postgres' integer ends at 2,147,483,647).
EPISODE_NUMBER_MAX = 99_999
# One import: at most this many characters of script in all (each scene also within
# SCENE_TEXT_MAX_CHARS). Files holding more than IMPORT_INLINE_MAX_BYTES once unpacked (a DOCX is a zip)
# are imported by the worker, with progress.
IMPORT_MAX_CHARS = int(os.environ.get("IMPORT_MAX_CHARS", str(6_000_000)))
# A scene's lines: every line is an element to parse and render, so 100,000 one-character lines cost
# far more than 200,000 characters of real script (about 17,000 lines). Enforced on import.
SCENE_TEXT_MAX_LINES = 20_000
IMPORT_INLINE_MAX_BYTES = int(os.environ.get("IMPORT_INLINE_MAX_BYTES", str(512 * 1024)))
# Exports answered inside the web request hold at most this many characters of script; bigger ones
# (and any run of several episodes) go to the worker with the progress bar.
EXPORT_INLINE_MAX_CHARS = int(os.environ.get("EXPORT_INLINE_MAX_CHARS", str(150_000)))
# A person's season exports in one series: at most this many waiting or running at once, and the
# finished files kept (older ones are emptied; the list shows the newest five).
EXPORT_JOBS_PER_PERSON = int(os.environ.get("EXPORT_JOBS_PER_PERSON", "2"))
EXPORT_RESULTS_KEPT = int(os.environ.get("EXPORT_RESULTS_KEPT", "10"))

# Background jobs (scripts_app/services/jobs.py). A running job's worker beats every few seconds; one
# silent for JOB_STALE_AFTER is requeued by the sweeper (celery beat, every minute), at most
# JOB_MAX_ATTEMPTS runs in all. A job task is stopped after JOB_TIME_LIMIT.
JOB_HEARTBEAT_SECONDS = 5
JOB_STALE_AFTER_SECONDS = int(os.environ.get("JOB_STALE_AFTER_SECONDS", "120"))
JOB_MAX_ATTEMPTS = 3
JOB_QUEUED_TOO_LONG_SECONDS = 3600
JOB_SOFT_TIME_LIMIT_SECONDS = 540
JOB_TIME_LIMIT_SECONDS = 600
# A child killed mid-task (the OOM killer) hands its message back at once instead of dropping it.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# With acks_late a worker holding prefetched messages delays them; take one at a time.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis gives an unacknowledged message to another worker after the visibility timeout (default: one
# hour, which is how long a dead worker's export used to wait). Aligned with the jobs' limits: longer
# than any task may run (so a live run is never delivered twice), and within the stale limit of that.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": max(JOB_TIME_LIMIT_SECONDS, AI_TASK_TIME_LIMIT) + JOB_STALE_AFTER_SECONDS
}
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,
    "sweep-stalled-jobs": {"task": "scripts_app.tasks.sweep_stalled_jobs", "schedule": 60.0},
}

# Logins (django-axes): after AXES_FAILURE_LIMIT failed attempts for one account, or from one address,
# that account or address waits AXES_COOLOFF_TIME. /admin/ signs in through the same backend, so the
# same limits hold there. Behind a proxy, daphne's --proxy-headers gives the client's address.
INSTALLED_APPS += ["axes"]
MIDDLEWARE += ["axes.middleware.AxesMiddleware"]  # last, as axes asks
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=15)  # the locked-out page says "a quarter of an hour"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one reaching the limit locks
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
# Anyone who reaches the server may make an account and start a series of their own (nobody joins a
# series without an invitation they accept). SIGNUP=0 closes the door: accounts then come only from
# invitation links and manage.py createsuperuser. SIGNUPS_PER_HOUR limits new accounts per address.
SIGNUP_OPEN = env_bool("SIGNUP", True)
SIGNUPS_PER_HOUR = int(os.environ.get("SIGNUPS_PER_HOUR", "10"))

# Content-Security-Policy (scripts_app/security.py): on whenever DEBUG is off.
CSP_ENABLED = env_bool("CSP", not DEBUG)
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "scripts_app.security.ContentSecurityPolicyMiddleware")  # fmt: skip

# HTTPS=1: the site is served over TLS (directly or behind a proxy that sets X-Forwarded-Proto). Cookies
# are sent only over HTTPS, plain HTTP is redirected, and browsers are told to use HTTPS for a year
# (HSTS, with subdomains and preload). `HTTPS=1 DEBUG=0 manage.py check --deploy` then reports nothing.
HTTPS = env_bool("HTTPS")
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", True)
