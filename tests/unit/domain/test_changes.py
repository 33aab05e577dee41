"""What an action changed, as one value the window's screens read."""

from __future__ import annotations

from disdukcapil_desk.domain.dto import NO_CHANGES, QUEUE_CHANGED_ELSEWHERE, Changes


def test_nothing_changed_is_false_and_anything_else_true() -> None:
    assert not NO_CHANGES and not Changes()
    assert Changes(requests=frozenset({1})) and Changes(settings=frozenset({"signing"}))
    assert QUEUE_CHANGED_ELSEWHERE


def test_two_changes_merge_into_one() -> None:
    merged = Changes(requests=frozenset({1}), users=frozenset({"a"})) | Changes(
        requests=frozenset({2}), documents=frozenset({"AKT-1"}), queue=True
    )
    assert merged == Changes(
        requests=frozenset({1, 2}),
        queue=True,
        documents=frozenset({"AKT-1"}),
        users=frozenset({"a"}),
    )


def test_only_requests_or_the_queue_concern_the_queue() -> None:
    assert Changes(requests=frozenset({7})).touches_queue
    assert QUEUE_CHANGED_ELSEWHERE.touches_queue
    assert not Changes(users=frozenset({"a"}), documents=frozenset({"AKT-1"})).touches_queue
