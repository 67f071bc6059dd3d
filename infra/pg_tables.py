"""Tables of our own beside the event store's (same schema): DDL with a `{s}` placeholder for
the schema, statements composed safely, tables created if missing."""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL, Composed, Identifier

from infra.postgres import serialise_ddl


class OwnTables:
    """Base of a small store of our own on the event store's datastore."""

    ddl: tuple[str, ...] = ()

    def __init__(self, datastore: PostgresDatastore) -> None:
        self.datastore = datastore

    @property
    def schema(self) -> str:
        return self.datastore.schema

    def sql(self, statement: str) -> Composed:
        return SQL(statement).format(s=Identifier(self.schema))

    def create_tables(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            serialise_ddl(curs)
            for statement in self.ddl:
                curs.execute(self.sql(statement))

    def fetch(self, statement: str, params: Any = None) -> list[dict]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(self.sql(statement), params)
            return list(curs.fetchall())
