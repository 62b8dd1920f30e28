from __future__ import annotations

from handoff.errors import ConsentRequired, HandoffError, PlanInvalid, PlanIssue, all_error_classes


def test_every_error_has_a_unique_stable_code_and_a_message():
    classes = all_error_classes()
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes)), "error codes must be unique"
    for cls in classes:
        assert cls.code and cls.code == cls.code.lower() and " " not in cls.code
        assert cls.message.endswith(".")


def test_errors_serialise_for_the_edge():
    err = ConsentRequired(details={"scope": "phone"})
    assert isinstance(err, HandoffError)
    assert err.to_dict() == {"code": "consent_required", "message": ConsentRequired.message, "details": {"scope": "phone"}}
    plan = PlanInvalid([PlanIssue(section="s", problem="required", message="Please fill in “S”.")])
    assert plan.to_dict()["details"]["issues"] == [{"section": "s", "problem": "required", "message": "Please fill in “S”."}]
