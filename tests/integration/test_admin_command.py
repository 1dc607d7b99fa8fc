"""The operator's admin command (`python -m devkit.admin`) and the `ensure_user` use case.

The commands run in-process against moto and DynamoDB Local (the `aws` fixture); the
whole command, as `make admin` runs it, in a subprocess against an in-process runtime.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from devkit import admin, localstate, search_rebuild
from devkit.localrun.runtime import InvalidAdmin, LocalAdmin, Options, describe_admin, ensure_admin
from devkit.localrun.testing import running
from devkit.template import ROOT
from storefront.data import keys, users
from storefront.domain.errors import Conflict, NotFound, Unprocessable
from storefront.domain.identity.passwords import verify_password
from storefront.domain.identity.roles import Role
from storefront.domain.identity.service import ensure_user
from storefront.domain.users.service import set_user_access

FIXTURE_TEMPLATE = ROOT / "tests" / "fixtures" / "templates" / "protected-api.yaml"


def run(*argv: str) -> str:
    return admin.execute(admin.parser().parse_args(list(argv)))


def stored(email: str) -> Any:
    found = users.find_user_by_email(email)
    assert found is not None
    return found


@pytest.mark.usefixtures("aws")
class TestCommands:
    def test_create_makes_a_user_with_the_role_when_the_email_is_free(self) -> None:
        line = run("create", "--email", "Mia@Example.com", "--password", "correct-horse", "--role", "manager")

        user = stored("mia@example.com")
        assert line.startswith("created mia@example.com  role=manager  enabled")
        assert (user.role, user.disabled, user.name) == (Role.MANAGER, False, "Mia@Example.com")
        assert verify_password("correct-horse", user.password_hash)

    def test_promote_and_disable_change_the_stored_user_when_it_exists(self) -> None:
        run("create", "--email", "mia@example.com", "--password", "correct-horse", "--role", "manager")

        assert run("promote", "--email", "MIA@example.com").startswith("promoted mia@example.com  role=admin")
        assert stored("mia@example.com").role is Role.ADMIN
        assert "disabled" in run("disable", "--email", "mia@example.com")
        assert stored("mia@example.com").disabled is True
        assert run("enable", "--email", "mia@example.com").endswith(f"enabled  id={stored('mia@example.com').id}")
        assert run("demote", "--email", "mia@example.com").startswith("demoted mia@example.com  role=customer")
        assert stored("mia@example.com").role is Role.CUSTOMER

    def test_promote_refuses_to_lower_a_role_when_asked_to_raise_it(self) -> None:
        run("create", "--email", "mia@example.com", "--password", "correct-horse", "--role", "admin")

        with pytest.raises(admin.CommandError, match="use demote"):
            run("promote", "--email", "mia@example.com", "--role", "manager")
        assert stored("mia@example.com").role is Role.ADMIN
        assert run("demote", "--email", "mia@example.com", "--role", "manager").startswith("demoted")

    def test_commands_fail_clearly_when_the_user_is_missing_or_taken_or_the_password_short(self) -> None:
        run("create", "--email", "mia@example.com", "--password", "correct-horse")

        with pytest.raises(Conflict):
            run("create", "--email", "MIA@example.com", "--password", "correct-horse")
        with pytest.raises(NotFound):
            run("disable", "--email", "nobody@example.com")
        with pytest.raises(Unprocessable) as short:
            run("create", "--email", "leo@example.com", "--password", "short")
        assert admin.explain(short.value) == "--password: must have at least 8 characters"

    def test_set_user_access_changes_role_and_flag_when_called_by_an_operator(self) -> None:
        run("create", "--email", "mia@example.com", "--password", "correct-horse")

        profile = set_user_access("mia@example.com", role=Role.MANAGER, disabled=True)

        assert (profile.role, profile.disabled) == (Role.MANAGER, True)


def test_wrong_role_name_is_refused_with_the_choices_when_parsing(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        admin.parser().parse_args(["promote", "--email", "mia@example.com", "--role", "boss"])

    assert exit_.value.code == 2
    assert "invalid choice: 'boss' (choose from 'manager', 'admin')" in capsys.readouterr().err


@pytest.mark.usefixtures("aws")
class TestEnsureUser:
    def test_ensure_user_creates_once_and_changes_nothing_when_run_again(self) -> None:
        first = ensure_user("Boss@Example.com", "boss-password", "Boss", Role.ADMIN)
        again = ensure_user("boss@example.com", "boss-password", "Someone else", Role.ADMIN)

        assert (first.created, again.created) == (True, False)
        assert again.user == first.user
        assert again.password_matches
        assert stored("boss@example.com").name == "Boss"

    def test_ensure_user_promotes_and_enables_an_existing_account_but_keeps_its_password(self) -> None:
        run("create", "--email", "boss@example.com", "--password", "first-password")
        set_user_access("boss@example.com", disabled=True)

        ensured = ensure_user("boss@example.com", "other-password", "Boss", Role.ADMIN)

        assert not ensured.created
        assert not ensured.password_matches
        user = stored("boss@example.com")
        assert (user.role, user.disabled) == (Role.ADMIN, False)
        assert verify_password("first-password", user.password_hash)

    def test_ensure_user_refuses_a_short_password_when_creating(self) -> None:
        with pytest.raises(Unprocessable):
            ensure_user("boss@example.com", "short", "Boss", Role.ADMIN)
        assert users.find_user_by_email("boss@example.com") is None


@pytest.mark.usefixtures("aws")
class TestLocalAdmin:
    def test_runtime_ensures_the_admin_and_shows_the_default_password_when_none_is_set(self) -> None:
        admin_account = LocalAdmin("Root@Example.com", "local-admin-password", is_default_password=True)

        first, again = ensure_admin(admin_account), ensure_admin(admin_account)

        assert (first.created, again.created) == (True, False)
        assert stored("root@example.com").role is Role.ADMIN
        assert describe_admin(again) == [
            "Admin:    root@example.com",
            "Password: local-admin-password  (the default: set LOCAL_ADMIN_PASSWORD to choose one)",
        ]

    def test_runtime_says_the_password_is_not_the_configured_one_when_the_account_had_another(self) -> None:
        ensure_admin(LocalAdmin("root@example.com", "first-password"))

        again = ensure_admin(LocalAdmin("root@example.com", "second-password"))

        assert not again.password_matches
        assert describe_admin(again)[1].startswith("Password: not LOCAL_ADMIN_PASSWORD")

    def test_runtime_refuses_to_start_naming_the_variable_when_the_password_is_short(self) -> None:
        with pytest.raises(InvalidAdmin, match=r"^LOCAL_ADMIN_PASSWORD: must have at least 8 characters$"):
            ensure_admin(LocalAdmin("root@example.com", "short"))


# ---------------------------------------------------------------- choosing the target


def test_local_target_is_refused_clearly_when_no_runtime_wrote_its_state(tmp_path: Path) -> None:
    with pytest.raises(admin.TargetError, match=r"no local runtime is running.*make dev.*--stack-name"):
        admin.local_environment(tmp_path)


def test_local_target_is_refused_when_the_runtime_that_wrote_the_state_is_gone(tmp_path: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, check=True)
    localstate.write_state({"pid": int(gone.stdout), "client_environment": {}, "environment": {}}, tmp_path)

    with pytest.raises(admin.TargetError, match="is gone"):
        admin.local_environment(tmp_path)


class _FakeCloudFormation:
    class meta:  # noqa: N801 - boto3's attribute name
        region_name = "eu-west-1"

    def __init__(self, outputs: dict[str, str]) -> None:
        self.outputs = outputs

    def describe_stacks(self, StackName: str) -> dict[str, Any]:  # noqa: N803 - boto3's keyword
        outputs = [{"OutputKey": key, "OutputValue": value} for key, value in self.outputs.items()]
        parameters = [{"ParameterKey": "Stage", "ParameterValue": "prod"}]
        return {"Stacks": [{"StackName": StackName, "Outputs": outputs, "Parameters": parameters}]}


def test_stack_target_reads_the_table_and_secret_from_the_outputs_when_deployed() -> None:
    client = _FakeCloudFormation({"TableName": "shop-table", "JwtSecretArn": "arn:secret", "ApiUrl": "https://x"})

    environment = admin.stack_environment("shop", client)

    assert environment == {
        "TABLE_NAME": "shop-table",
        "JWT_SECRET_ARN": "arn:secret",
        "STAGE": "prod",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
    }


def test_stack_target_is_refused_when_the_stack_lacks_the_outputs() -> None:
    with pytest.raises(admin.TargetError, match="no output TableName"):
        admin.stack_environment("other", _FakeCloudFormation({"JwtSecretArn": "arn:secret"}))


def test_the_search_rebuild_reads_the_bucket_and_cdn_from_the_same_outputs_when_deployed() -> None:
    outputs = {"TableName": "t", "JwtSecretArn": "arn:s", "SearchIndexBucketName": "shop-search", "CdnDomain": "d.net"}

    environment = search_rebuild.stack_environment("shop", _FakeCloudFormation(outputs))

    assert (environment["TABLE_NAME"], environment["SEARCH_BUCKET"]) == ("t", "shop-search")
    assert environment["IMAGES_BASE_URL"] == "https://d.net"
    with pytest.raises(admin.TargetError, match="SearchIndexBucketName"):
        search_rebuild.stack_environment("old", _FakeCloudFormation({"TableName": "t", "JwtSecretArn": "arn:s"}))


# ---------------------------------------------------------------- the whole command


def _command(data_dir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith("AWS_ENDPOINT_URL")}
    environment["BCRYPT_ROUNDS"] = "4"
    return subprocess.run(
        [sys.executable, "-m", "devkit.admin", "--data-dir", str(data_dir), *argv],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_command_creates_and_disables_a_user_in_the_running_local_runtime(tmp_path: Path) -> None:
    options = Options(
        port=0,
        data_dir=tmp_path,
        template=FIXTURE_TEMPLATE,
        stack_name="fixture",
        use_java=False,
        serve_http=False,
    )
    with running(options) as runtime:
        created = _command(
            tmp_path, "create", "--email", "Max@Example.com", "--password", "pass-word-1", "--role", "manager"
        )
        disabled = _command(tmp_path, "disable", "--email", "max@example.com")
        missing = _command(tmp_path, "promote", "--email", "nobody@example.com")
        table = localstate.read_state(tmp_path)["environment"]["TABLE_NAME"]
        dynamodb = runtime.emulators.client("dynamodb")  # type: ignore[union-attr]
        claim = dynamodb.get_item(TableName=table, Key=_key(keys.email_claim("max@example.com")))["Item"]
        user = dynamodb.get_item(TableName=table, Key=_key(keys.user(claim["user_id"]["S"])))["Item"]

    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("created max@example.com  role=manager  enabled")
    assert disabled.returncode == 0, disabled.stderr
    assert (user["role"]["S"], user["disabled"]["BOOL"]) == ("manager", True)
    assert (missing.returncode, missing.stderr.strip()) == (1, "error: No such user.")
    after = _command(tmp_path, "show", "--email", "max@example.com")
    assert after.returncode == 1
    assert "no local runtime is running" in after.stderr


def _key(pair: tuple[str, str]) -> dict[str, Any]:
    return {"PK": {"S": pair[0]}, "SK": {"S": pair[1]}}
