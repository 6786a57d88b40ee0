import os

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# browser tests make around it are plain synchronous calls, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
