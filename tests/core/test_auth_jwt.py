"""JWTs (issue 15 items 7 and 8): refresh rotation with a blacklist, tokens issued before a password change
refused (access and refresh), and a bad token's 401 worded as a plain sentence in every family."""

import pytest
from rest_framework.test import APIClient

from tests.core import auth_helpers
from tests.core.auth_helpers import (
    ANALYST_LIST,
    BMC_BODY,
    BMC_ECHO,
    ECHO_BODY,
    ORACLE_ECHO,
    PASSWORD,
    REFRESH,
    TOKEN,
    UIM_ECHO,
    USERNAME,
)

echo_user = auth_helpers.echo_user  # the fixture

pytestmark = pytest.mark.urls("tests.core.auth_urls")

DOORS = {
    ORACLE_ECHO: ("post", ECHO_BODY, 200),
    UIM_ECHO: ("post", ECHO_BODY, 201),
    BMC_ECHO: ("post", BMC_BODY, 200),
    ANALYST_LIST: ("get", None, 200),
}


def obtain(username=USERNAME, password=PASSWORD) -> dict:
    response = APIClient().post(TOKEN, {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def bearer(door: str, token: str):
    method, body, _ = DOORS[door]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    if method == "get":
        return client.get(door)
    return client.post(door, data=body, format="json")


def refresh(token: str):
    return APIClient().post(REFRESH, {"refresh": token}, format="json")


def error_text(response) -> str:
    """The human sentence of any family's 401 envelope."""
    body = response.json()
    if isinstance(body, list):  # BMC validation list
        return " ".join(item["message"] for item in body)
    if "serverMessage" in body:  # Oracle problemDetailDocument
        return body["detail"] + " " + body["title"]
    if "referenceError" in body:  # UIM
        return " ".join(body["message"]) + " " + body["reason"]
    return body["detail"]


@pytest.mark.parametrize("door", list(DOORS))
def test_access_token_works(echo_user, door):
    assert bearer(door, obtain()["access"]).status_code == DOORS[door][2]


def test_refresh_rotates_and_the_used_refresh_token_is_blacklisted(echo_user):
    pair = obtain()
    first = refresh(pair["refresh"])
    assert first.status_code == 200
    rotated = first.json()
    assert set(rotated) == {"access", "refresh"}
    assert rotated["refresh"] != pair["refresh"]
    second = refresh(rotated["refresh"])  # the chain goes on, one rotation at a time
    assert second.status_code == 200
    replay = refresh(rotated["refresh"])
    assert replay.status_code == 401
    assert "blacklisted" in replay.json()["detail"]


def test_reuse_of_a_rotated_refresh_token_revokes_its_family(echo_user):
    """Issue 21 finding 9, RFC 9700 §4.14.2: a rotated refresh token presented again (a thief's copy, or the
    client's) revokes every refresh token of that login; other logins of the same user are not concerned."""
    pair, other_login = obtain(), obtain()
    newest = refresh(refresh(pair["refresh"]).json()["refresh"]).json()  # two rotations
    reuse = refresh(pair["refresh"])
    assert reuse.status_code == 401
    assert "already used" in reuse.json()["detail"] and reuse["Content-Type"] == "application/json"
    revoked = refresh(newest["refresh"])
    assert revoked.status_code == 401 and "blacklisted" in revoked.json()["detail"]
    # Access tokens are stateless JWTs: one already issued stays valid until it expires (docs/security.md).
    assert bearer(ANALYST_LIST, newest["access"]).status_code == 200
    assert refresh(other_login["refresh"]).status_code == 200
    assert refresh(obtain()["refresh"]).status_code == 200  # a new login starts a new family


def test_a_refresh_token_minted_before_families_rotates_once_then_reuse_revokes(echo_user):
    """A token without the family claim (issued before this release) gets a family on its first rotation."""
    from rest_framework_simplejwt.tokens import RefreshToken

    legacy = str(RefreshToken.for_user(echo_user))
    rotated = refresh(legacy)
    assert rotated.status_code == 200
    assert refresh(legacy).status_code == 401
    assert refresh(rotated.json()["refresh"]).status_code == 401


def test_a_forged_family_claim_does_not_verify(echo_user):
    """The family rides inside the signed token: changing it breaks the signature."""
    import base64
    import json

    token = obtain()["refresh"]
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["fam"] = "00000000-0000-0000-0000-000000000000"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    assert refresh(f"{header}.{forged_payload}.{signature}").status_code == 401


@pytest.mark.parametrize("door", list(DOORS))
def test_access_token_issued_before_a_password_change_is_refused(echo_user, door):
    access = obtain()["access"]
    echo_user.set_password("a-new-password")
    echo_user.save()
    response = bearer(door, access)
    assert response.status_code == 401
    assert "password has been changed" in error_text(response)
    assert bearer(door, obtain(password="a-new-password")["access"]).status_code == DOORS[door][2]


def test_refresh_token_issued_before_a_password_change_is_refused(echo_user):
    pair = obtain()
    echo_user.set_password("a-new-password")
    echo_user.save()
    response = refresh(pair["refresh"])
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "password has been changed" in response.json()["detail"]


def test_refresh_token_of_a_deactivated_user_is_refused(echo_user):
    pair = obtain()
    echo_user.is_active = False
    echo_user.save()
    assert refresh(pair["refresh"]).status_code == 401


def test_refresh_token_of_a_removed_user_is_a_401_not_a_500(echo_user):
    pair = obtain()
    echo_user.delete()
    client = APIClient(raise_request_exception=False)
    response = client.post(REFRESH, {"refresh": pair["refresh"]}, format="json")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"


def test_an_access_token_is_not_a_refresh_token(echo_user):
    assert refresh(obtain()["access"]).status_code == 401


@pytest.mark.parametrize("door", list(DOORS))
@pytest.mark.parametrize("token", ["not-a-token", "eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl"])
def test_a_bad_token_is_a_plain_sentence_in_every_family(echo_user, door, token):
    response = bearer(door, token)
    assert response.status_code == 401
    text = error_text(response)
    assert "ErrorDetail" not in response.content.decode()
    assert "{" not in text and "[" not in text, text
    assert "token" in text.lower()


@pytest.mark.parametrize("door", list(DOORS))
def test_an_expired_token_says_so_plainly(echo_user, door):
    from datetime import timedelta

    from rest_framework_simplejwt.tokens import AccessToken

    token = AccessToken.for_user(echo_user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    response = bearer(door, str(token))
    assert response.status_code == 401
    text = error_text(response)
    assert "expired" in text
    assert "ErrorDetail" not in response.content.decode()


def test_a_token_signed_with_the_former_public_development_key_is_refused(echo_user):
    """The constant development key that `make run` used to sign with is public: it must not be the key."""
    import jwt
    from rest_framework_simplejwt.utils import get_md5_hash_password

    claims = {"token_type": "access", "exp": 4102444800, "jti": "x", "user_id": str(echo_user.pk)}
    claims["hash_password"] = get_md5_hash_password(echo_user.password)
    forged = jwt.encode(
        claims,
        "insecure-development-key-do-not-use-in-production",
        algorithm="HS256",
    )
    assert bearer(ORACLE_ECHO, forged).status_code == 401


@pytest.mark.parametrize("form", ["multipart", "urlencoded"])
def test_form_bodies_still_obtain_and_refresh_though_the_document_declares_json_only(echo_user, form):
    """Issue 23: the document declares the token bodies as JSON only (generated clients broke on three media
    types); the wire is unchanged, a form body still works."""
    client = APIClient()
    if form == "multipart":
        obtained = client.post(TOKEN, {"username": USERNAME, "password": PASSWORD}, format="multipart")
    else:
        body = f"username={USERNAME}&password={PASSWORD}"
        obtained = client.post(TOKEN, body, content_type="application/x-www-form-urlencoded")
    assert obtained.status_code == 200, obtained.content
    refreshed = client.post(REFRESH, {"refresh": obtained.json()["refresh"]}, format="multipart")
    assert refreshed.status_code == 200, refreshed.content
    assert set(refreshed.json()) == {"access", "refresh"}
