"""The test Razorpay account's keys, and what Razorpay signs with them: checkouts and webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

KEY_ID, KEY_SECRET, WEBHOOK_SECRET = "rzp_test_key", "key-secret", "hook-secret"


def sign(secret: str, message: bytes) -> str:
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def checkout_signature(razorpay_order_id: str, payment_id: str) -> str:
    return sign(KEY_SECRET, f"{razorpay_order_id}|{payment_id}".encode())


def webhook_body(razorpay_order_id: Any, event: str = "payment.captured") -> bytes:
    entity = {"id": "pay_1", "order_id": razorpay_order_id}
    return json.dumps({"event": event, "payload": {"payment": {"entity": entity}}}).encode()
