"""The one PostgreSQL connection pool of a process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg2
import psycopg2.extras
from psycopg2 import sql
from psycopg2.extensions import connection as Connection
from psycopg2.extensions import cursor as Cursor
from psycopg2.pool import ThreadedConnectionPool


class Database:
    """A small thread-safe pool; `transaction()` commits on success and rolls back on error."""

    def __init__(self, url: str, *, max_connections: int = 8, connect_timeout: int = 5) -> None:
        self.url = url
        self._pool = ThreadedConnectionPool(
            1, max_connections, url, connect_timeout=connect_timeout, application_name="fieldops"
        )
        self._lock = threading.Lock()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        conn = self._pool.getconn()
        broken = False
        try:
            with conn:
                yield conn
        except (psycopg2.OperationalError, psycopg2.InterfaceError):
            broken = True
            raise
        finally:
            self._pool.putconn(conn, close=broken or bool(conn.closed))

    @contextmanager
    def cursor(self, *, dicts: bool = True) -> Iterator[Cursor]:
        factory = psycopg2.extras.RealDictCursor if dicts else None
        with self.transaction() as conn, conn.cursor(cursor_factory=factory) as cur:
            yield cur

    def fetch_all(self, query: str, params: tuple | dict = ()) -> list[dict]:
        with self.cursor() as cur:
            cur.execute(query, params)
            return list(cur.fetchall())

    def fetch_one(self, query: str, params: tuple | dict = ()) -> dict | None:
        with self.cursor() as cur:
            cur.execute(query, params)
            return cur.fetchone()

    def execute(self, query: str, params: tuple | dict = ()) -> int:
        with self.cursor() as cur:
            cur.execute(query, params)
            return cur.rowcount

    def ping(self) -> None:
        self.fetch_one("SELECT 1")

    def close(self) -> None:
        with self._lock:
            if not self._pool.closed:
                self._pool.closeall()


def ensure_database(admin_url: str, name: str, template: str | None = None) -> None:
    """Create database `name` unless it exists (CREATE DATABASE cannot run in a transaction)."""
    conn = psycopg2.connect(admin_url)
    try:
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
            if cur.fetchone():
                return
            statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            cur.execute(statement)
    finally:
        conn.close()
