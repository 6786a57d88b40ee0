import os

import pytest
from hypothesis import settings as hypothesis_settings

# Fuzzing is part of every run, so it must give the same verdict every run: the examples are derived
# from each test's name (not from the clock), and no example is timed (speed is bench/parsers.py's job).
hypothesis_settings.register_profile("repeatable", derandomize=True, deadline=None, print_blob=True)
hypothesis_settings.load_profile("repeatable")

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# browser tests make around it are plain synchronous calls, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session", autouse=True)
def close_stray_connections(request):
    """The live server's threads keep Postgres sessions open; end them so the test database can be dropped."""
    if not request.config.pluginmanager.hasplugin("django"):
        yield  # pure tests run with -p no:django
        return
    # Requested here so that this teardown runs before the test database is dropped.
    request.getfixturevalue("django_db_setup")
    django_db_blocker = request.getfixturevalue("django_db_blocker")
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def asgi_server(transactional_db):
    """The app served by daphne in its own process (websockets included), on the test database.
    Stopped before the test's data is emptied, so no room of it is still writing."""
    from .live_asgi import AsgiServer

    server = AsgiServer().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def language_of_its_own():
    """Each test starts in the default language. A request through the test client activates the
    visitor's language in this thread and nothing switches it back, so a zh-Hans page test would
    otherwise leave the next test's messages in Chinese."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
