import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_sign_in_page_is_served_to_anonymous_visitors(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'<label for="id_password">' in response.content


def test_home_redirects_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_correct_password_signs_in_and_lands_on_the_overview(client):
    UserFactory(username="ceo", password="demo-password-1")
    response = client.post(
        reverse("login"), {"username": "ceo", "password": "demo-password-1"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["user"].username == "ceo"


def test_wrong_password_is_refused_with_a_message(client):
    UserFactory(username="ceo", password="demo-password-1")
    response = client.post(reverse("login"), {"username": "ceo", "password": "wrong"})
    assert response.status_code == 200
    assert not response.context["user"].is_authenticated
    assert b"Please enter a correct username and password" in response.content


def test_sign_out_ends_the_session(signed_in_client):
    response = signed_in_client.post(reverse("logout"))
    assert response.status_code == 302
    assert signed_in_client.get(reverse("home")).status_code == 302


def test_unknown_page_answers_404(signed_in_client):
    assert signed_in_client.get("/no-such-page/").status_code == 404
