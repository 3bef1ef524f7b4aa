"""A Python host of libselfservice through the binding (bindings/python): it signs a customer in
and calls the portal with the access token, as a web backend facing untrusted callers does.

Run with the library and the binding reachable, for example from a build tree:
    SELFSERVICE_LIBRARY=build/release/capi/libselfservice.so PYTHONPATH=bindings/python \\
        python3 examples/python_host.py
"""

import os
import sys
import tempfile

import selfservice


def main() -> int:
    with tempfile.TemporaryDirectory() as directory:
        storage = "sqlite:" + os.path.join(directory, "portal.db")

        # 1. The operator's own tool, trusted to name callers by id, creates the first account.
        operator = {"tenant_id": 1, "customer_id": 1, "user_id": 1, "roles": ["platform_admin"]}
        with selfservice.Portal({"storage": storage}) as portal:
            portal.invoke("users.create", operator, {"customer_id": 10, "username": "li.lei",
                                                     "email": "li.lei@example.com",
                                                     "password": "Correct-Horse-42"})

        # 2. The web backend: raw ids are refused, only access tokens name a caller.
        with selfservice.Portal({"storage": storage, "trust_host_context": False}) as portal:
            anonymous = {"locale": "en-US", "client_ip": "203.0.113.7"}
            try:
                portal.invoke("auth.login", anonymous,
                              {"tenant_id": 1, "username": "li.lei", "password": "wrong"})
            except selfservice.Error as error:
                print("wrong password:", error.code, error.message)  # 10002, the same for any failure
            tokens = portal.invoke("auth.login", anonymous, {"tenant_id": 1, "username": "li.lei",
                                                             "password": "Correct-Horse-42"})["data"]
            caller = {"access_token": tokens["access_token"], "locale": "en-US", "client_ip": "203.0.113.7"}
            session = portal.invoke("sessions.start", caller,
                                    {"session_type": "ai_chat", "initial_question": "VPN keeps dropping"})["data"]
            print("session", session["session_id"], "of user", session["user_id"])
            try:
                portal.invoke("sessions.list", operator, {})
            except selfservice.Error as error:
                print("raw ids:", error.code)  # 10002: this portal does not trust them
            portal.invoke("auth.logout", caller, {})
            try:
                portal.invoke("sessions.list", caller, {})
            except selfservice.Error as error:
                print("after logout:", error.code)  # 10002: the login has ended
                return 0
    print("a call after logout succeeded", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
