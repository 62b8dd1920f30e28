from loadtest.errors import ApiError


def test_a_refusal_says_the_servers_code_and_words():
    error = ApiError("POST", "/api/sessions/s1/participants", 409,
                     {"code": "conflict", "title": "The session is full.", "status": 409})
    assert str(error) == "POST /api/sessions/s1/participants answered 409 (conflict: The session is full.)"
    assert error.status == 409


def test_a_body_that_is_not_a_problem_gives_the_status_alone():
    assert str(ApiError("GET", "/x", 502, "Bad Gateway")) == "GET /x answered 502"
