"""Customer B asking for customer A's resources gets the contract's answer, everywhere."""

from __future__ import annotations

from typing import Any

from tests.support.flows import API, add_goal, finalize, hire, ok
from tests.support.harness import stack

NOT_FOUND_HIRED = (404, {"detail": "Hired agent instance not found."})


async def test_customer_b_cannot_reach_customer_a(database_url: str) -> None:
    async with stack(database_url) as plant:
        http = plant.http
        a = await hire(http, "cust-a")
        ok(await add_goal(http, a, "cust-a", goal_instance_id="g"))
        ok(await finalize(http, a, "cust-a"))
        hid, sub = a["hired_instance_id"], a["subscription_id"]
        [deliverable] = ok(
            await http.get(
                f"{API}/hired-agents/{hid}/deliverables", params={"customer_id": "cust-a"}
            )
        )["deliverables"]
        did = deliverable["deliverable_id"]
        approval = ok(
            await http.post(
                f"{API}/deliverables/{did}/review",
                json={"customer_id": "cust-a", "decision": "approved"},
            )
        )["approval_id"]
        receipts = ok(await http.get(f"{API}/receipts", params={"customer_id": "cust-a"}))
        [receipt] = receipts["receipts"]
        order_id = receipt["order_id"]
        invoice = ok(
            await http.get(f"{API}/invoices/by-order/{order_id}", params={"customer_id": "cust-a"})
        )
        b = {"customer_id": "cust-b"}
        cases: list[tuple[str, str, dict[str, Any], Any, tuple[int, Any]]] = [
            ("GET", f"{API}/hired-agents/by-subscription/{sub}", b, None, NOT_FOUND_HIRED),
            (
                "PUT",
                f"{API}/hired-agents/draft",
                {},
                {"subscription_id": sub, "agent_id": "x", "customer_id": "cust-b"},
                (403, {"detail": "Subscription does not belong to customer"}),
            ),
            ("POST", f"{API}/hired-agents/{hid}/finalize", {}, b, NOT_FOUND_HIRED),
            ("GET", f"{API}/hired-agents/{hid}/goals", b, None, NOT_FOUND_HIRED),
            (
                "PUT",
                f"{API}/hired-agents/{hid}/goals",
                {},
                b | {"goal_template_id": "t", "frequency": "daily"},
                NOT_FOUND_HIRED,
            ),
            (
                "DELETE",
                f"{API}/hired-agents/{hid}/goals",
                b | {"goal_instance_id": "g"},
                None,
                NOT_FOUND_HIRED,
            ),
            ("GET", f"{API}/hired-agents/{hid}/deliverables", b, None, NOT_FOUND_HIRED),
            (
                "POST",
                f"{API}/deliverables/{did}/review",
                {},
                b | {"decision": "rejected"},
                NOT_FOUND_HIRED,
            ),
            (
                "POST",
                f"{API}/deliverables/{did}/execute",
                {},
                b | {"approval_id": approval},
                NOT_FOUND_HIRED,
            ),
            (
                "GET",
                f"{API}/trial-status/by-subscription/{sub}",
                b,
                None,
                (404, {"detail": "Trial not found"}),
            ),
            (
                "GET",
                f"{API}/receipts/by-order/{order_id}",
                b,
                None,
                (404, {"detail": "Receipt not found"}),
            ),
            (
                "GET",
                f"{API}/receipts/{receipt['receipt_id']}",
                b,
                None,
                (404, {"detail": "Receipt not found"}),
            ),
            (
                "GET",
                f"{API}/receipts/{receipt['receipt_id']}/html",
                b,
                None,
                (404, {"detail": "Receipt not found"}),
            ),
            (
                "GET",
                f"{API}/invoices/by-order/{order_id}",
                b,
                None,
                (403, {"detail": "Invoice does not belong to customer"}),
            ),
            (
                "GET",
                f"{API}/invoices/{invoice['invoice_id']}",
                b,
                None,
                (403, {"detail": "Invoice does not belong to customer"}),
            ),
            (
                "GET",
                f"{API}/invoices/{invoice['invoice_id']}/html",
                b,
                None,
                (403, {"detail": "Invoice does not belong to customer"}),
            ),
            (
                "POST",
                f"{API}/payments/subscriptions/{sub}/cancel",
                b,
                None,
                (403, {"detail": "Subscription does not belong to customer"}),
            ),
        ]
        for method, path, params, body, expected in cases:
            response = await http.request(method, path, params=params, json=body)
            assert (response.status_code, response.json()) == expected, (method, path)
        for path, key in (
            (f"{API}/trial-status", "trials"),
            (f"{API}/receipts", "receipts"),
            (f"{API}/invoices", "invoices"),
        ):
            assert ok(await http.get(path, params=b))[key] == [], path
        assert ok(await http.get(f"{API}/payments/subscriptions/by-customer/cust-b")) == []

        after = ok(
            await http.get(
                f"{API}/hired-agents/by-subscription/{sub}", params={"customer_id": "cust-a"}
            )
        )
        assert (after["trial_status"], after["agent_id"]) == ("active", a["agent_id"])
        still = ok(
            await http.get(
                f"{API}/hired-agents/{hid}/deliverables", params={"customer_id": "cust-a"}
            )
        )["deliverables"]
        assert (still[0]["review_status"], still[0]["execution_status"]) == (
            "approved",
            "not_executed",
        )
        subscription = ok(await http.get(f"{API}/payments/subscriptions/{sub}"))
        assert subscription["cancel_at_period_end"] is False
