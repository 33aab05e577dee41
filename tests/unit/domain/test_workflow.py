"""Workflow transitions and permissions."""

from __future__ import annotations

import pytest

from disdukcapil_desk.domain.dto import SYSTEM_ACTOR, Actor
from disdukcapil_desk.domain.errors import PermissionDenied, WorkflowError
from disdukcapil_desk.domain.workflow import (
    TRANSITIONS,
    Action,
    Permission,
    Role,
    Status,
    allowed_actions,
    check_transition,
    holds,
    may,
    require,
)


def officer(role: Role | None) -> Actor:
    return Actor(login="petugas", role=role)


HAPPY_PATH = [
    (Action.CLAIM, Status.NEW, Role.COUNTER, Status.IN_REVIEW),
    (Action.APPROVE, Status.IN_REVIEW, Role.COUNTER, Status.APPROVED),
    (Action.ISSUE, Status.APPROVED, Role.VERIFIER, Status.ISSUED),
    (Action.FINISH, Status.ISSUED, Role.COUNTER, Status.DONE),
]


@pytest.mark.parametrize(("action", "current", "role", "target"), HAPPY_PATH)
def test_happy_path(action: Action, current: Status, role: Role, target: Status) -> None:
    assert check_transition(action, current, officer(role)) is target


def test_revision_round_trip_goes_back_to_the_queue() -> None:
    assert check_transition(Action.REQUEST_REVISION, Status.IN_REVIEW, officer(Role.COUNTER)) is (
        Status.NEEDS_REVISION
    )
    assert check_transition(Action.RESUBMIT, Status.NEEDS_REVISION, SYSTEM_ACTOR) is Status.NEW


@pytest.mark.parametrize(
    ("action", "current"),
    [
        (Action.APPROVE, Status.NEW),
        (Action.ISSUE, Status.IN_REVIEW),
        (Action.FINISH, Status.APPROVED),
        (Action.CLAIM, Status.DONE),
        (Action.REJECT, Status.REJECTED),
        (Action.CANCEL, Status.DONE),
    ],
)
def test_illegal_transitions_raise_with_indonesian_text(action: Action, current: Status) -> None:
    with pytest.raises(WorkflowError, match="tidak dapat"):
        check_transition(action, current, officer(Role.SECTION_HEAD))


def test_roles_are_enforced() -> None:
    with pytest.raises(PermissionDenied):
        check_transition(Action.ISSUE, Status.APPROVED, officer(Role.COUNTER))
    with pytest.raises(PermissionDenied):
        check_transition(Action.TAKE_BACK, Status.IN_REVIEW, officer(Role.COUNTER))
    with pytest.raises(PermissionDenied):
        check_transition(Action.CLAIM, Status.NEW, officer(Role.ADMIN))
    with pytest.raises(PermissionDenied, match="petugas"):
        check_transition(Action.APPROVE, Status.IN_REVIEW, SYSTEM_ACTOR)
    assert check_transition(Action.EXPIRE, Status.IN_REVIEW, SYSTEM_ACTOR) is Status.NEW


def test_an_actor_without_a_role_is_not_the_system() -> None:
    """Before, ``require(None, …)`` passed silently; only the explicit system actor passes now."""
    nobody = officer(None)
    assert not nobody.is_system
    with pytest.raises(PermissionDenied, match="tanpa peran"):
        require(nobody, Permission.VIEW_QUEUE)
    with pytest.raises(PermissionDenied):
        check_transition(Action.EXPIRE, Status.IN_REVIEW, nobody)
    require(SYSTEM_ACTOR, Permission.MANAGE_USERS)


def test_document_rights_are_permissions() -> None:
    assert holds(officer(Role.VERIFIER), Permission.ISSUE)
    assert not holds(officer(Role.COUNTER), Permission.ISSUE)
    assert holds(officer(Role.SECTION_HEAD), Permission.VOID)
    assert not holds(officer(Role.VERIFIER), Permission.VOID)
    assert holds(officer(Role.ADMIN), Permission.MANAGE_OFFICE)
    assert not holds(officer(Role.SECTION_HEAD), Permission.MANAGE_OFFICE)
    assert holds(officer(Role.SECTION_HEAD), Permission.TAKE_BACK)
    assert not holds(officer(Role.COUNTER), Permission.TAKE_BACK)


def test_every_status_is_reachable_from_new() -> None:
    reached = {Status.NEW}
    frontier = [Status.NEW]
    while frontier:
        current = frontier.pop()
        for t in TRANSITIONS.values():
            if current in t.sources and t.target not in reached:
                reached.add(t.target)
                frontier.append(t.target)
    assert reached == set(Status)


def test_closed_statuses_have_no_way_out() -> None:
    for status in (Status.DONE, Status.REJECTED, Status.CANCELLED):
        assert not status.is_open
        assert all(status not in t.sources for t in TRANSITIONS.values())


def test_allowed_actions_and_permissions() -> None:
    assert allowed_actions(Status.IN_REVIEW, Role.COUNTER) == [
        Action.RELEASE,
        Action.APPROVE,
        Action.REQUEST_REVISION,
        Action.REJECT,
    ]
    assert Action.TAKE_BACK in allowed_actions(Status.IN_REVIEW, Role.SECTION_HEAD)
    assert may(Role.ADMIN, Permission.MANAGE_USERS)
    assert not may(Role.COUNTER, Permission.EXPORT_RECAP)
    with pytest.raises(PermissionDenied):
        require(officer(Role.COUNTER), Permission.MANAGE_USERS)
    require(officer(Role.ADMIN), Permission.MANAGE_USERS)


def test_labels_are_indonesian() -> None:
    assert Status.NEEDS_REVISION.label == "Perlu perbaikan"
    assert Role.SECTION_HEAD.label.startswith("Kepala")


@pytest.mark.parametrize("permission", list(Permission))
def test_a_refusal_names_the_right_in_indonesian_words(permission: Permission) -> None:
    """Before, a refusal read "tidak memiliki hak 'manage_users'": the code, not the words."""
    nobody = Actor(login="tamu", role=None)
    with pytest.raises(PermissionDenied) as refused:
        require(nobody, permission)
    message = str(refused.value)
    assert permission.value not in message
    assert message.endswith(f"tidak memiliki hak {permission.label}")
    assert "_" not in permission.label
