"""Test-wide setup.

The database is SQLite by default and PostgreSQL when DATABASE_URL is set (the test command
runs the suite both ways; scripts/with_postgres.py starts the server). HEADSTART_HOME is a
temporary directory (tests/early_home.py). Record factories live in tests/factories.py
and tests/delivery_factories.py and are available to every test.
"""

pytest_plugins = ["factories", "delivery_factories"]
