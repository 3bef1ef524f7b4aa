"""The selfservice command line (examples/cli), driven as a user or a script would drive it.

The binary comes from SELFSERVICE_CLI; the shared Debian-docs corpus from SELFSERVICE_KB_DIR (its
tests are skipped when it is absent). Every test works in a temporary directory of its own, so the
tests may run in parallel.
"""
import base64
import hashlib
import json
import os
import subprocess
import tempfile
import unittest

CLI = os.environ.get("SELFSERVICE_CLI", "")
KB_DIR = os.environ.get("SELFSERVICE_KB_DIR", "")
FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kb-fixture.jsonl")
COMMANDS = ["import", "search", "ask", "tickets create", "tickets list", "tickets show", "download", "call", "methods",
            "serve"]


class CliTest(unittest.TestCase):
    def setUp(self):
        if not CLI:
            self.skipTest("SELFSERVICE_CLI is not set")
        self._dir = tempfile.TemporaryDirectory(prefix="selfservice-cli-")
        self.dir = self._dir.name
        self.db = os.path.join(self.dir, "portal.db")

    def tearDown(self):
        self._dir.cleanup()

    def run_cli(self, *args, stdin=None, env=None):
        """Runs the CLI on this test's database, in English unless the arguments say otherwise."""
        environment = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "LANG")}
        environment["LANG"] = "C.UTF-8"
        environment.update(env or {})
        return subprocess.run([CLI, "--db", self.db, *args], cwd=self.dir, input=stdin, capture_output=True,
                              text=True, env=environment, timeout=240)

    def ok(self, *args, **kwargs):
        result = self.run_cli(*args, **kwargs)
        self.assertEqual(result.returncode, 0, f"{args}: {result.stderr}")
        return result

    def json_of(self, *args, **kwargs):
        return json.loads(self.ok("--json", *args, **kwargs).stdout)

    def assert_usage_error(self, result, text):
        self.assertEqual(result.returncode, 2, result.stderr)
        self.assertIn(text, result.stderr)
        self.assertIn("--help", result.stderr)
        self.assertEqual(result.stdout, "")

    def import_fixture(self):
        return self.json_of("import", FIXTURE)

    # --- help and usage errors -------------------------------------------------------------------

    def test_help_of_every_command(self):
        for command in COMMANDS:
            with self.subTest(command=command):
                result = self.ok(*command.split(), "--help")
                self.assertIn("Usage: selfservice " + command, result.stdout)
                self.assertIn("--json", result.stdout)

    def test_help_lists_every_command_and_the_exit_codes(self):
        result = self.ok("--help")
        for command in COMMANDS:
            self.assertIn(command, result.stdout)
        self.assertIn("Exit status", result.stdout)

    def test_help_of_tickets_lists_its_actions(self):
        result = self.ok("tickets", "--help")
        for action in ("create", "list", "show"):
            self.assertIn("tickets " + action, result.stdout)

    def test_help_does_not_create_the_database(self):
        self.ok("import", "--help")
        self.assertFalse(os.path.exists(self.db))

    def test_version_prints_the_library_version(self):
        self.assertRegex(self.ok("--version").stdout, r"^selfservice \d+\.\d+\.\d+\n$")

    def test_no_command_is_a_usage_error(self):
        self.assert_usage_error(self.run_cli(), "no command")

    def test_unknown_command_is_a_usage_error(self):
        self.assert_usage_error(self.run_cli("frobnicate"), "unknown command 'frobnicate'")

    def test_unknown_tickets_action_is_a_usage_error(self):
        self.assert_usage_error(self.run_cli("tickets", "delete", "1"), "unknown command 'tickets delete'")

    def test_tickets_without_action_is_a_usage_error(self):
        self.assert_usage_error(self.run_cli("tickets"), "create, list or show")

    def test_unknown_option_is_a_usage_error(self):
        self.assert_usage_error(self.run_cli("search", "--colour", "red", "vpn"), "colour")

    def test_missing_arguments_are_usage_errors(self):
        for args, text in ((["import"], "missing argument"), (["search"], "missing argument"),
                           (["ask"], "missing argument"), (["tickets", "show"], "missing argument"),
                           (["call"], "missing argument")):
            with self.subTest(args=args):
                self.assert_usage_error(self.run_cli(*args), text)

    def test_extra_arguments_are_usage_errors(self):
        self.assert_usage_error(self.run_cli("import", FIXTURE, "other.jsonl"), "unexpected argument 'other.jsonl'")

    def test_bad_numbers_are_usage_errors(self):
        for args, text in ((["search", "--page", "two", "vpn"], "page"),
                           (["tickets", "list", "--size", "1x"], "size"),
                           (["tickets", "show", "abc"], "not 'abc'"),
                           (["tickets", "show", "0"], "not '0'"),
                           (["--tenant", "0", "methods"], "--tenant must be a positive integer"),
                           (["--user", "many", "methods"], "user")):
            with self.subTest(args=args):
                self.assert_usage_error(self.run_cli(*args), text)

    def test_bad_role_and_locale_are_usage_errors(self):
        self.assert_usage_error(self.run_cli("--role", "root", "methods"), "--role must be")
        self.assert_usage_error(self.run_cli("--locale", "fr-FR", "methods"), "--locale must be")

    def test_tickets_create_names_every_missing_option(self):
        result = self.run_cli("tickets", "create", "--title", "VPN down")
        self.assert_usage_error(result, "missing --description, --category, --priority")

    def test_tickets_create_refuses_an_unknown_priority(self):
        result = self.run_cli("tickets", "create", "--title", "t", "--description", "d", "--category", "c",
                              "--priority", "urgent")
        self.assert_usage_error(result, "--priority must be")

    # --- import ----------------------------------------------------------------------------------

    def test_import_reports_counts_as_json(self):
        data = self.import_fixture()
        self.assertEqual((data["imported"], data["updated"], data["failed"]), (2, 0, 1))
        self.assertEqual(data["errors"][0]["line"], 3)
        self.assertEqual(data["errors"][0]["errors"][0]["field"], "title")
        self.assertFalse(data["cancelled"])

    def test_import_prints_counts_and_refused_lines(self):
        result = self.ok("import", FIXTURE)
        self.assertIn("imported 2, updated 0, failed 1", result.stdout)
        self.assertIn("line 3 (cli-en-bad): title is required [FIELD_REQUIRED]\n", result.stdout)

    def test_second_import_updates_instead_of_duplicating(self):
        self.import_fixture()
        data = self.import_fixture()
        self.assertEqual((data["imported"], data["updated"], data["failed"]), (0, 2, 1))
        listed = self.json_of("call", "knowledge.list", '{"size": 100}')
        self.assertEqual(listed["pagination"]["total"], 2)

    def test_import_reports_progress_lines_when_stderr_is_not_a_terminal(self):
        result = self.ok("import", FIXTURE)
        self.assertIn("importing: 100%", result.stderr)

    def test_import_quiet_reports_no_progress(self):
        result = self.ok("--quiet", "import", FIXTURE)
        self.assertEqual(result.stderr, "")

    def test_import_of_a_missing_file_fails(self):
        result = self.run_cli("import", "no-such-file.jsonl")
        self.assertEqual(result.returncode, 1)
        self.assertIn("no-such-file.jsonl is not a readable file", result.stderr)

    def test_import_takes_a_path_relative_to_the_current_directory(self):
        with open(os.path.join(self.dir, "kb.jsonl"), "w", encoding="utf-8") as out:
            with open(FIXTURE, encoding="utf-8") as fixture:
                out.write(fixture.read())
        self.assertEqual(self.json_of("import", "kb.jsonl")["imported"], 2)

    def test_import_below_platform_admin_is_refused_by_the_library(self):
        result = self.run_cli("--role", "customer_admin", "import", FIXTURE)
        self.assertEqual(result.returncode, 1)
        self.assertIn("Permission denied (code 10003)", result.stderr)

    def test_import_of_the_shared_corpus(self):
        corpus = os.path.join(KB_DIR, "debian-docs.jsonl")
        if not os.path.isfile(corpus):
            self.skipTest("the shared corpus is absent")
        with open(corpus, encoding="utf-8") as lines:
            records = sum(1 for line in lines if line.strip())
        data = self.json_of("import", corpus)
        self.assertEqual(data["imported"] + data["failed"], records)
        hits = self.json_of("search", "--lang", "zh", "主机名解析")["hits"]
        self.assertTrue(hits)
        self.assertTrue(all(hit["lang"] == "zh" for hit in hits))

    # --- search and ask --------------------------------------------------------------------------

    def test_search_finds_an_imported_article(self):
        self.import_fixture()
        data = self.json_of("search", "forgotten", "VPN", "password")
        self.assertEqual(data["hits"][0]["external_id"], "cli-en-1")
        self.assertFalse(data["suggest_ticket"])

    def test_search_prints_hits_for_people(self):
        self.import_fixture()
        result = self.ok("search", "打印机", "连接")
        self.assertIn("1. 打印机无法连接", result.stdout)
        self.assertIn("cli-zh-1", result.stdout)
        self.assertNotIn("<mark>", result.stdout)

    def test_search_without_hits_suggests_a_ticket(self):
        self.import_fixture()
        result = self.ok("search", "kubernetes")
        self.assertIn("No articles found.", result.stdout)
        self.assertIn("tickets create", result.stdout)

    def test_search_with_a_blank_query_shows_the_field_error(self):
        result = self.run_cli("search", "   ")
        self.assertEqual(result.returncode, 1)
        self.assertIn("Invalid request parameters (code 10001)", result.stderr)
        self.assertIn("q: q is required [FIELD_REQUIRED]", result.stderr)

    def test_ask_answers_from_an_imported_article(self):
        self.import_fixture()
        data = self.json_of("ask", "How do I reset my VPN password?")
        self.assertTrue(data["session_id"].startswith("sess_"))
        self.assertIn("cli-en-1", [a["external_id"] for a in data["related_articles"]])

    def test_ask_continues_its_session(self):
        self.import_fixture()
        first = self.json_of("ask", "How do I reset my VPN password?")
        second = self.json_of("ask", "--session", first["session_id"], "and the printer?")
        self.assertEqual(second["session_id"], first["session_id"])

    def test_ask_in_an_unknown_session_is_not_found(self):
        result = self.run_cli("ask", "--session", "sess_000000000000000000000000", "hello?")
        self.assertEqual(result.returncode, 1)
        self.assertIn("code 10004", result.stderr)

    # --- tickets ---------------------------------------------------------------------------------

    def test_tickets_create_list_show(self):
        created = self.json_of("tickets", "create", "--title", "VPN drops every morning", "--description",
                               "At 9 the VPN disconnects", "--category", "network", "--priority", "high",
                               "--email", "li@example.com")
        self.assertEqual((created["status"], created["priority"]), ("new", 1))
        listed = self.json_of("tickets", "list", "--status", "new")
        self.assertEqual([t["id"] for t in listed], [created["id"]])
        shown = self.json_of("tickets", "show", str(created["id"]))
        self.assertEqual(shown["ticket"]["contact_email"], "li@example.com")
        self.assertEqual([e["event_type"] for e in shown["history"]], ["created"])

    def test_tickets_print_for_people(self):
        created = self.ok("tickets", "create", "--title", "打印机坏了", "--description", "无法打印", "--category",
                          "office", "--priority", "3")
        self.assertRegex(created.stdout, r"^Created ticket 1 \(new\): 打印机坏了\n$")
        listed = self.ok("tickets", "list").stdout.splitlines()
        self.assertRegex(listed[0], r"^ID\s+STATUS\s+PRIORITY\s+CATEGORY\s+CREATED\s+TITLE$")
        self.assertEqual(listed[0].index("TITLE"), listed[1].index("打印机坏了"))
        self.assertIn("page 1 of 1, 1 tickets in all", listed[-1])
        self.assertIn("low", listed[1])
        shown = self.ok("tickets", "show", "1").stdout
        self.assertIn("无法打印", shown)
        self.assertIn("History:", shown)

    def test_tickets_create_shows_the_field_errors(self):
        result = self.run_cli("tickets", "create", "--title", "t", "--description", "d", "--category", "c",
                              "--priority", "2", "--email", "not-an-address")
        self.assertEqual(result.returncode, 1)
        self.assertIn("contact.email: ", result.stderr)
        self.assertIn("[FIELD_INVALID]", result.stderr)
        self.assertIn("trace id: ", result.stderr)

    def test_tickets_list_with_an_unknown_status_is_refused(self):
        result = self.run_cli("tickets", "list", "--status", "lost")
        self.assertEqual(result.returncode, 1)
        self.assertIn("status: ", result.stderr)
        self.assertIn("[VALUE_NOT_ALLOWED]", result.stderr)

    def test_tickets_show_of_an_unknown_ticket_is_not_found(self):
        result = self.run_cli("tickets", "show", "42")
        self.assertEqual(result.returncode, 1)
        self.assertIn("Resource not found (code 10004)", result.stderr)

    def test_tickets_of_another_user_are_invisible_to_a_customer_user(self):
        self.ok("tickets", "create", "--title", "t", "--description", "d", "--category", "c", "--priority", "2")
        other = ("--role", "customer_user", "--user", "7")
        self.assertEqual(json.loads(self.ok("--json", *other, "tickets", "list").stdout), [])
        self.assertEqual(self.run_cli(*other, "tickets", "show", "1").returncode, 1)

    # --- call and methods ------------------------------------------------------------------------

    def test_call_with_bad_json_shows_the_10001_message(self):
        result = self.run_cli("call", "tickets.list", "{not json")
        self.assertEqual(result.returncode, 1)
        self.assertIn("Invalid request parameters (code 10001)", result.stderr)
        self.assertIn("request_json: ", result.stderr)
        self.assertEqual(json.loads(result.stdout)["code"], 10001)

    def test_call_of_an_unknown_method_is_not_found(self):
        result = self.run_cli("--json", "call", "no.such.method")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(json.loads(result.stdout)["code"], 10004)

    def test_call_prints_the_whole_envelope(self):
        envelope = self.json_of("call", "users.create",
                                '{"username": "li.lei", "password": "Correct-Horse-9-Battery", "roles": ["customer_user"]}')
        self.assertEqual(envelope["code"], 200)
        self.assertEqual(envelope["data"]["username"], "li.lei")
        self.assertIn("trace_id", envelope)
        self.assertNotIn("Correct-Horse", json.dumps(envelope))

    def test_call_reads_the_request_from_stdin(self):
        envelope = self.json_of("call", "tickets.create", "-", stdin=json.dumps(
            {"title": "from stdin", "description": "d", "category": "c", "priority": 2}))
        self.assertEqual(envelope["data"]["title"], "from stdin")

    def test_call_pretty_prints_for_people(self):
        result = self.ok("call", "tickets.list")
        self.assertTrue(result.stdout.startswith('{\n  "code": 200,'))
        self.assertEqual(json.loads(result.stdout)["data"], [])

    def test_methods_lists_the_dispatch_table(self):
        methods = self.json_of("methods")
        names = [m["name"] for m in methods]
        self.assertIn("tickets.create", names)
        self.assertEqual(set(methods[0]), {"name", "http_method", "route", "least_role", "feature", "rate_class",
                                              "binary"})
        self.assertRegex(self.ok("methods").stdout, r"(?m)^knowledge\.import\s+POST\s+customer_admin")

    # --- global options --------------------------------------------------------------------------

    def test_global_options_may_follow_the_command(self):
        result = self.run_cli("tickets", "list", "--json", "--locale", "en-US")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout), [])

    def test_locale_selects_the_messages(self):
        result = self.run_cli("--locale", "zh-CN", "tickets", "show", "9")
        self.assertIn("资源不存在", result.stderr)
        result = self.run_cli("tickets", "show", "9", env={"LANG": "zh_CN.UTF-8"})
        self.assertIn("资源不存在", result.stderr)

    def test_tenants_are_isolated(self):
        self.import_fixture()
        data = self.json_of("--tenant", "2", "search", "VPN password")
        self.assertEqual(data["hits"], [])

    def test_db_defaults_to_the_current_directory(self):
        result = subprocess.run([CLI, "--json", "tickets", "list"], cwd=self.dir, capture_output=True, text=True,
                                timeout=120)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(os.path.exists(os.path.join(self.dir, "selfservice.db")))

    def test_options_file_with_bad_values_shows_its_field_errors(self):
        path = os.path.join(self.dir, "options.json")
        with open(path, "w", encoding="utf-8") as out:
            out.write('{"pool_size": 0}')
        result = self.run_cli("--options", path, "tickets", "list")
        self.assertEqual(result.returncode, 1)
        self.assertIn("pool_size: ", result.stderr)

    def test_options_file_is_read_and_db_overrides_its_storage(self):
        path = os.path.join(self.dir, "options.json")
        with open(path, "w", encoding="utf-8") as out:
            out.write('{"storage": "sqlite::memory:", "pool_size": 2}')
        self.ok("--options", path, "tickets", "create", "--title", "t", "--description", "d", "--category", "c",
                "--priority", "2")
        self.assertTrue(os.path.exists(self.db))

    def test_missing_options_file_fails(self):
        result = self.run_cli("--options", os.path.join(self.dir, "none.json"), "tickets", "list")
        self.assertEqual(result.returncode, 1)
        self.assertIn("cannot read", result.stderr)

    # --- download ----------------------------------------------------------------------------------

    FILE = b"%PDF-1.7\n" + bytes(range(256)) * 40

    def call_ok(self, method, request):
        envelope = self.json_of("call", method, json.dumps(request))
        self.assertEqual(envelope["code"], 200, envelope)
        return envelope["data"]

    def attach(self, name="运维日志.pdf"):
        """An attachment of FILE on a new ticket, through the resumable upload; its id."""
        ticket = self.call_ok("tickets.create", {"title": "t", "description": "d", "category": "c", "priority": 2})
        upload = self.call_ok("tickets.attachments.begin", {
            "ticket_id": ticket["id"], "filename": name, "size": len(self.FILE), "content_type": "application/pdf",
            "sha256": hashlib.sha256(self.FILE).hexdigest()})
        self.call_ok("tickets.attachments.append", {"upload_id": upload["upload_id"], "offset": 0,
                                                    "data_base64": base64.b64encode(self.FILE).decode()})
        return self.call_ok("tickets.attachments.complete", {"upload_id": upload["upload_id"]})["attachment"]["id"]

    def read(self, name):
        with open(os.path.join(self.dir, name), "rb") as f:
            return f.read()

    def test_download_saves_an_attachment_under_its_own_name(self):
        attachment = self.attach()
        result = self.ok("download", "attachment", str(attachment))
        self.assertEqual(self.read("运维日志.pdf"), self.FILE)
        self.assertIn("Saved 运维日志.pdf", result.stdout)
        self.assertIn(hashlib.sha256(self.FILE).hexdigest(), result.stdout)

    def test_download_writes_stdout_with_output_dash(self):
        attachment = self.attach()
        result = subprocess.run([CLI, "--db", self.db, "download", "attachment", str(attachment), "-o", "-"],
                                cwd=self.dir, capture_output=True, timeout=240)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, self.FILE)

    def test_download_json_describes_the_file_and_the_range(self):
        attachment = self.attach()
        answer = self.json_of("download", "attachment", str(attachment), "--output", "out.pdf")
        self.assertEqual(answer["output"], "out.pdf")
        self.assertEqual(answer["bytes"], len(self.FILE))
        self.assertEqual(answer["file"]["sha256"], hashlib.sha256(self.FILE).hexdigest())
        self.assertEqual(answer["range"], {"offset": 0, "length": len(self.FILE), "size": len(self.FILE)})
        self.assertEqual(self.read("out.pdf"), self.FILE)

    def test_download_resume_continues_a_cut_file(self):
        attachment = self.attach()
        with open(os.path.join(self.dir, "part.pdf"), "wb") as f:
            f.write(self.FILE[:1000])
        answer = self.json_of("download", "attachment", str(attachment), "--output", "part.pdf", "--resume")
        self.assertEqual(answer["range"]["offset"], 1000)
        self.assertEqual(self.read("part.pdf"), self.FILE)

    def test_download_resume_of_a_whole_file_fetches_nothing(self):
        attachment = self.attach()
        self.ok("download", "attachment", str(attachment), "--output", "whole.pdf")
        result = self.ok("download", "attachment", str(attachment), "--output", "whole.pdf", "--resume")
        self.assertIn("already complete", result.stderr)
        self.assertEqual(self.read("whole.pdf"), self.FILE)

    def test_download_resume_refuses_a_file_longer_than_the_download(self):
        attachment = self.attach()
        with open(os.path.join(self.dir, "other.pdf"), "wb") as f:
            f.write(self.FILE + b"tail")
        result = self.run_cli("download", "attachment", str(attachment), "--output", "other.pdf", "--resume")
        self.assertEqual(result.returncode, 1)
        self.assertIn("not a part of it", result.stderr)
        self.assertEqual(self.read("other.pdf"), self.FILE + b"tail")

    def test_download_of_a_document_counts_it_once_across_a_resume(self):
        document = self.call_ok("documents.publish", {
            "title": "VPN 手册", "filename": "vpn.pdf", "content_type": "application/pdf",
            "data_base64": base64.b64encode(self.FILE).decode()})
        with open(os.path.join(self.dir, "vpn.pdf"), "wb") as f:
            f.write(self.FILE[:500])
        self.ok("download", "document", str(document["id"]), "--output", "vpn.pdf", "--resume")
        self.assertEqual(self.read("vpn.pdf"), self.FILE)
        self.assertEqual(self.call_ok("documents.get", {"id": document["id"]})["download_count"], 0)
        self.ok("download", "document", str(document["id"]))
        self.assertEqual(self.call_ok("documents.get", {"id": document["id"]})["download_count"], 1)

    def test_download_of_a_missing_file_fails_with_the_librarys_error(self):
        self.attach()
        result = self.run_cli("download", "attachment", "999")
        self.assertEqual(result.returncode, 1)
        self.assertIn("code 10004", result.stderr)
        result = self.run_cli("--customer", "2", "--role", "customer_user", "download", "attachment", "1")
        self.assertEqual(result.returncode, 1)
        self.assertIn("code 10004", result.stderr)

    def test_download_refuses_bad_arguments(self):
        self.assert_usage_error(self.run_cli("download", "file", "1"), "attachment or document")
        self.assert_usage_error(self.run_cli("download", "attachment", "x"), "ID")
        self.assert_usage_error(self.run_cli("download", "attachment"), "missing argument")
        self.assert_usage_error(self.run_cli("download", "attachment", "1", "--resume"), "--resume needs --output")
        self.assert_usage_error(self.run_cli("download", "attachment", "1", "-o", "-", "--resume"), "cannot continue stdout")
        self.assert_usage_error(self.run_cli("--json", "download", "attachment", "1", "-o", "-"), "both write stdout")

    # --- serve (the server itself is tested in tests/server) -------------------------------------

    def test_serve_refuses_bad_options(self):
        self.assert_usage_error(self.run_cli("serve", "--port", "70000"), "--port must be 0-65535")
        self.assert_usage_error(self.run_cli("serve", "--port", "http"), "port")
        self.assert_usage_error(self.run_cli("serve", "--threads", "-1"), "--threads must not be negative")
        self.assert_usage_error(self.run_cli("serve", "--tls-cert", "cert.pem"), "--tls-cert and --tls-key go together")


if __name__ == "__main__":
    unittest.main()
