"""Writes that run without a transaction on PostgreSQL, and again in one when contended."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.wrappers_pb2 import Int64Value
from plant.store.v1 import deliverables_pb2 as pb
from sqlalchemy import bindparam, insert

from store_service.db.database import Database
from store_service.db.models import NumberSequence, table_of
from store_service.db.sql import Contended, Statement, Transaction
from store_service.services.units_of_work import Reply, UnitsOfWork
from tests.support.recorded_runs import RUNS, Work, recorded

sequences = table_of(NumberSequence)
RECORD_RUN = Statement(
    insert(sequences).values(kind=bindparam("kind"), day="d", last_value=bindparam("run"))
)
METHOD = "DeliverablesService.ExecuteDeliverable"


def contended_outside_transactions(runs: list[bool]) -> Work:
    """Work that always loses to a concurrent writer unless it runs in a transaction; `runs`
    records, per run, whether it did."""

    async def work(tx: Transaction, _now: datetime) -> Int64Value:
        in_transaction = hasattr(tx, "commit")
        runs.append(in_transaction)
        await tx.rows(RUNS)
        if not in_transaction:
            raise Contended()
        await tx.execute(RECORD_RUN, kind=f"run-{len(runs)}", run=len(runs))
        return Int64Value(value=len(runs))

    return work


async def test_contended_work_runs_again_in_a_transaction(database: Database) -> None:
    runs: list[bool] = []
    answer = await UnitsOfWork(database).write_at_once(
        Reply(METHOD, pb.ExecuteDeliverableRequest(), Int64Value, lambda answer: answer),
        contended_outside_transactions(runs),
    )
    # PostgreSQL tries without a transaction first; SQLite's units are always transactions.
    expected = [False, True] if database.dialect == "postgresql" else [True]
    assert runs == expected
    assert answer.value == len(expected)
    assert await recorded(database) == {f"run-{len(expected)}": len(expected)}


async def test_a_request_id_keeps_the_write_in_a_transaction(database: Database) -> None:
    runs: list[bool] = []
    units = UnitsOfWork(database)
    request = pb.ExecuteDeliverableRequest(request_id="r-1")
    for _ in range(2):
        answer = await units.write_at_once(
            Reply(METHOD, request, Int64Value, lambda answer: answer),
            contended_outside_transactions(runs),
        )
        assert answer.value == 1
    # One run, in a transaction; the repeat was answered with the kept first answer.
    assert runs == [True]
    assert await recorded(database) == {"run-1": 1}
