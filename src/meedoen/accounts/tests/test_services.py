import pytest
from django.core.exceptions import ValidationError

from meedoen.accounts.models import User
from meedoen.accounts.roles import Role
from meedoen.accounts.services import demo_users_reset, user_create

pytestmark = pytest.mark.django_db


def test_user_create_sets_role_and_hashes_password() -> None:
    user = user_create(username="femke", role="privacy_officer", password="a-long-passphrase-7")
    assert user.role == Role.PRIVACY_OFFICER
    assert user.check_password("a-long-passphrase-7")
    assert "a-long-passphrase-7" not in user.password


def test_user_create_refuses_weak_password() -> None:
    with pytest.raises(ValidationError):
        user_create(username="femke", role="analyst", password="123")
    assert not User.objects.filter(username="femke").exists()


def test_user_create_refuses_unknown_role() -> None:
    with pytest.raises(ValueError, match="superhero"):
        user_create(username="x", role="superhero", password="a-long-passphrase-7")


def test_demo_users_cover_every_role_and_get_new_passwords_on_rerun() -> None:
    first = {user.role: user for user in demo_users_reset()}
    assert set(first) == set(Role.values)
    second = {user.role: user for user in demo_users_reset()}
    assert User.objects.count() == len(Role)
    for role in Role.values:
        assert first[role].password != second[role].password
        assert User.objects.get(username=role).check_password(second[role].password)


def _role_details(username: str) -> list[str]:
    from meedoen.audits.models import ProcessingRecord

    return list(
        ProcessingRecord.objects.filter(data_subject_id=username, data_subject_id_type="account")
        .order_by("position")
        .values_list("detail", flat=True)
    )


def test_user_role_change_logs_old_and_new_role_once() -> None:
    from meedoen.accounts.services import user_role_change
    from meedoen.audits.accounts import audit_account_roles_check

    user_create(username="femke", role="analyst", password="a-long-passphrase-7")
    user = user_role_change(username="femke", role="policy_maker", by="root", by_role="operator")
    assert user.role == Role.POLICY_MAKER
    user_role_change(username="femke", role="policy_maker", by="root", by_role="operator")
    assert _role_details("femke")[-1] == "role policy_maker (was analyst)"
    assert len(_role_details("femke")) == 2  # create, one change; the repeat wrote nothing
    assert audit_account_roles_check() == []
    with pytest.raises(ValueError, match="koning"):
        user_role_change(username="femke", role="koning", by="root", by_role="operator")
    with pytest.raises(User.DoesNotExist):
        user_role_change(username="niemand", role="analyst", by="root", by_role="operator")


def test_giving_a_role_changed_outside_meedoen_records_it() -> None:
    from meedoen.accounts.services import user_role_change
    from meedoen.audits.accounts import audit_account_roles_check

    user_create(username="femke", role="analyst", password="a-long-passphrase-7")
    User.objects.filter(username="femke").update(role=Role.ADMINISTRATOR)  # the attack
    [problem] = audit_account_roles_check()
    assert (problem.username, problem.role, problem.recorded) == (
        "femke",
        "administrator",
        "analyst",
    )
    user_role_change(username="femke", role="administrator", by="root", by_role="operator")
    assert _role_details("femke")[-1] == "role administrator (the log had analyst)"
    assert audit_account_roles_check() == []


def test_demo_reset_says_which_role_it_gave_back() -> None:
    demo_users_reset()
    User.objects.filter(username="analyst").update(role=Role.ADMINISTRATOR)
    demo_users_reset()
    assert _role_details("analyst")[-1] == "demo account, role analyst (was administrator)"
    assert _role_details("resident")[-1] == "demo account, role resident"
