"""The site header: the Dashboard link only for staff and institution members, aria-current on
the section the reader is in, the language switcher's label for screen readers only; and the
staff sign-in page points learners to their e-mailed link."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def _nav(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return re.search(r'<nav class="site-nav".*?</nav>', response.content.decode(), re.S)[0]


def _current(nav: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" aria-current="page">', nav)


@pytest.mark.parametrize(("path", "current"), [
    ("/verify", ["/verify"]),
    ("/catalogue", ["/catalogue"]),
    ("/catalogue/institutions", ["/catalogue"]),
    ("/worth", ["/worth"]),
    ("/me/login", ["/me/"]),
    ("/accounts/login/", ["/accounts/login/"]),
    ("/", []),
    ("/open-data", []),
])
def test_aria_current_marks_the_section(client, path, current):
    assert _current(_nav(client, path)) == current


def test_anonymous_sees_no_dashboard(client):
    assert 'href="/dashboard/"' not in _nav(client, "/verify")


def test_a_learner_is_not_sent_to_the_dashboard(client, make_user):
    client.force_login(make_user("lena@example.org"))
    nav = _nav(client, "/me/")
    assert 'href="/dashboard/"' not in nav
    assert _current(nav) == ["/me/"]
    assert "Sign out" in nav


def test_an_institution_member_sees_the_dashboard(client, institution, owner):
    client.force_login(owner)
    assert _current(_nav(client, "/dashboard/")) == ["/dashboard/"]
    assert _current(_nav(client, "/institutions/example-uni/")) == ["/dashboard/"]
    assert _current(_nav(client, "/institutions/register")) == []  # open to anyone signed in
    nav = _nav(client, "/verify")
    assert 'href="/dashboard/">' in nav
    assert _current(nav) == ["/verify"]


def test_platform_staff_see_the_dashboard(client, make_user):
    client.force_login(make_user("staff@platform.example", is_staff=True))
    assert _current(_nav(client, "/dashboard/")) == ["/dashboard/"]


def test_the_language_switcher_sits_right_and_its_label_is_for_screen_readers(client):
    page = client.get("/verify").content.decode()
    form = re.search(r'<form class="language-switcher"[^>]*>', page)[0]
    assert "margin:0" not in form  # would cancel the class's margin-left:auto
    assert '<label for="language-select" class="visually-hidden">Language</label>' in page


def test_staff_sign_in_points_learners_to_their_link(client):
    page = client.get("/accounts/login/").content.decode()
    line = re.search(r'<p id="learner-login">(.*?)</p>', page, re.S)[1]
    assert line == 'Learner? <a href="/me/login">Get a sign-in link by e-mail</a>'
