"""Processes that start together on a new store create the views' tables one after the other
(issue 18: several `api` processes): the second reads the tables as the first left them, once it
holds the DDL lock, and stores no second migration row."""

from __future__ import annotations

from eventsourcing.postgres import PostgresRecorder

from projections.readmodels import open_view
from projections.runners import PROJECTIONS


def test_a_process_that_waited_for_the_ddl_lock_finds_the_tables_made(store_env):
    _, view_class = PROJECTIONS["activity"]
    first = open_view("activity", store_env)  # creates the tables and the migration row
    try:
        # the second looked before the first created anything (what the library's create_table
        # reads before taking our lock), then creates its tables after the first
        second = view_class(datastore=first.datastore, tracking_table_name="activity_tracking")
        assert second.tracking_table_exists is False
        PostgresRecorder.create_table(second)  # raised IntegrityError (__migration__ 1) before
        assert second.tracking_table_exists and second.tracking_migration_current == 1
        with first.datastore.transaction(commit=False) as curs:
            curs.execute(first.max_tracking_id_statement, (first.table_migration_identifier,))
            assert curs.fetchone()["max"] == 1
    finally:
        first.datastore.close()
