"""Warehouse and app database through SQLAlchemy.

The URL picks the engine: `sqlite:///path.db` (the embedded default), `duckdb:///path.duckdb`,
`postgresql+psycopg2://...` for production, or `redshift+redshift_connector://...`.
"""

from __future__ import annotations

import re
from pathlib import Path

import dagster as dg
import pandas as pd
import sqlalchemy as sa


_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


def ident(name: str) -> str:
    """Table and column names are interpolated into SQL, so only plain identifiers are allowed."""
    if not isinstance(name, str) or not _IDENT.match(name):
        raise ValueError(f"invalid SQL identifier {name!r}")
    return name


class SqlDatabase:
    def __init__(self, url: str):
        if not url or "://" not in url:
            raise ValueError(f"database URL {url!r} is not a SQLAlchemy URL (e.g. sqlite:///app.db)")
        self.url = url
        parsed = sa.engine.make_url(url)
        if parsed.get_backend_name() in ("sqlite", "duckdb") and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        kwargs = {}
        if parsed.get_backend_name() == "sqlite":
            # several Dagster step processes may write at once: wait for the lock instead of failing
            kwargs["connect_args"] = {"timeout": 60}
        self.engine = sa.create_engine(url, **kwargs)
        self.backend = parsed.get_backend_name()

    def replace_partition(self, table: str, df: pd.DataFrame, column: str | None = None, value=None) -> int:
        """Idempotent write: delete the rows of one partition (or the whole table), then insert."""
        table = ident(table)
        with self.engine.begin() as conn:
            if sa.inspect(conn).has_table(table):
                if column is None:
                    conn.execute(sa.text(f"DELETE FROM {table}"))
                else:
                    conn.execute(sa.text(f"DELETE FROM {table} WHERE {ident(column)} = :v"), {"v": value})
            if len(df):
                df.to_sql(table, conn, if_exists="append", index=False, chunksize=2000)
        return len(df)

    def read_sql(self, query: str, **params) -> pd.DataFrame:
        with self.engine.connect() as conn:
            return pd.read_sql(sa.text(query), conn, params=params)

    def read_table(self, table: str) -> pd.DataFrame:
        table = ident(table)
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table(table):
                raise LookupError(f"table {table!r} does not exist in {self.engine.url.render_as_string()}; "
                                  "materialize the asset that writes it first")
            return pd.read_sql(sa.text(f"SELECT * FROM {table}"), conn)

    def has_table(self, table: str) -> bool:
        with self.engine.connect() as conn:
            return sa.inspect(conn).has_table(ident(table))


class SqlDatabaseResource(dg.ConfigurableResource):
    """A SQLAlchemy database (warehouse or app database); the URL selects the engine."""

    url: str

    def db(self) -> SqlDatabase:
        return SqlDatabase(self.url)
