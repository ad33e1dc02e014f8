"""The staff pages end to end over HTTP: each role's work, through the same services as the API."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from opennotice.domain.actors import Actor
from opennotice.services import ccf as ccf_svc
from opennotice.services.compliance import ComplianceChecker
from opennotice.services.context import AppContext
from opennotice.store.tables import Notice
from tests.conftest import Who
from tests.functional.staff_helpers import signed_in

SUBJECT = {
    "type": "red",
    "purpose": "prosecution",
    "subject.family_name": "Marchetti",
    "subject.given_names": "Lorenzo Aldo",
    "subject.original_family_name": "Маркетти",
    "subject.original_script": "Cyrillic",
    "subject.date_of_birth": "1979-04-12",
    "subject.sex": "M",
    "subject.nationalities": "IT",
    "subject.eye_colours": "BRO",
    "subject.occupation": "journalist",
}
CHARGES = {
    "charges.0.legal_provision": "Code pénal art. 221-1",
    "charges.0.description": "Murder of a shopkeeper during an armed robbery",
    "charges.0.iccs_code": "0101",
    "charges.0.facts": "On 3 March 2023 in Lyon the subject shot the owner of a jewellery shop.",
    "charges.0.place": "Lyon",
    "charges.0.country": "FR",
    "charges.0.date_of_facts": "2023-03-03",
    "charges.0.max_penalty_years": "30",
    "warrant.authority": "Tribunal judiciaire de Lyon",
    "warrant.date": "2023-04-01",
    "warrant.reference": "MA-2023-0042",
}


@pytest.fixture
def checked(ctx: AppContext) -> Iterator[AppContext]:
    """The real compliance checks, whether or not the bootstrap wires them yet."""
    if not isinstance(ctx.checker, ComplianceChecker):
        ctx.checker = ComplianceChecker()
    yield ctx


def _post(client: TestClient, url: str, data: dict[str, str], csrf: str) -> str:
    r = client.post(url, data=data | {"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303, (url, r.status_code, r.text[-2000:])
    return str(r.headers["location"])


def file_request(client: TestClient, csrf: str, subject: dict[str, str] | None = None) -> str:
    """File a Red Notice request through the steps; returns its URL id."""
    loc = _post(client, "/staff/requests/new", subject or SUBJECT, csrf)
    rid = re.search(r"/staff/requests/([0-9]+-[0-9]+)/edit/charges", loc)
    assert rid, loc
    base = f"/staff/requests/{rid.group(1)}"
    _post(client, base + "/edit/charges", CHARGES, csrf)
    _post(client, base + "/edit/visibility", {"visibility.restricted_from": "US"}, csrf)
    assert client.get(base + "/edit/check").status_code == 200
    _post(client, base + "/submit", {}, csrf)
    return rid.group(1)


def test_validation_messages_sit_beside_the_field_and_nothing_is_lost(
    client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    csrf = signed_in(client, ctx, "ncb.fr")
    bad = SUBJECT | {"subject.date_of_birth": "1979-02-31", "subject.nationalities": "IT, XX"}
    r = client.post("/staff/requests/new", data=bad | {"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 422
    html = r.text
    # Each message is tied to its field (aria-describedby) and the typed values are kept.
    assert 'id="e-subject-date-of-birth"' in html and "not a real date" in html
    assert 'id="e-subject-nationalities"' in html and "XX" in html
    assert 'aria-invalid="true"' in html
    for value in ("Marchetti", "Lorenzo Aldo", "Маркетти", "1979-02-31", "journalist"):
        assert value in html
    assert re.search(r'value="BRO" checked', html)
    # Nothing was created.
    with ctx.read_session_factory() as s:
        assert s.scalar(select(Notice.id)) is None


def test_charge_errors_keep_the_other_steps(
    client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    csrf = signed_in(client, ctx, "ncb.fr")
    loc = _post(client, "/staff/requests/new", SUBJECT, csrf)
    base = loc.split("/edit/")[0]
    bad = CHARGES | {"charges.0.iccs_code": "1A", "warrant.date": "2999-01-01"}
    r = client.post(base + "/edit/charges", data=bad | {"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 422
    assert 'id="e-charges-0-iccs-code"' in r.text and 'id="e-warrant-date"' in r.text
    assert "Tribunal judiciaire de Lyon" in r.text and "jewellery shop" in r.text
    # The subject saved in step 1 is still there.
    assert 'value="Marchetti"' in client.get(base + "/edit/subject").text


def test_request_review_answer_and_two_reviewers(
    client: TestClient, checked: AppContext, people: dict[str, Who]
) -> None:
    ctx = checked
    csrf = signed_in(client, ctx, "ncb.fr")
    rid = file_request(client, csrf)
    page = client.get(f"/staff/requests/{rid}").text
    # The checks flagged the stated profile, shown after submitting, evidence marked.
    assert "art3_profile" in page and "<mark>journalist</mark>" in page
    assert "high" in page

    client.cookies.clear()
    gs = signed_in(client, ctx, "gs.br")
    queue = client.get("/staff/review").text
    assert rid.replace("-", "/") in queue and "Marchetti" in queue
    review = client.get(f"/staff/review/{rid}").text
    assert "<mark>journalist</mark>" in review and 'href="#finding-' in review
    _post(
        client,
        f"/staff/review/{rid}/decide",
        {
            "decision": "ask_info",
            "reasons": "Say what the subject's journalism has to do with the robbery.",
        },
        gs,
    )

    client.cookies.clear()
    csrf = signed_in(client, ctx, "ncb.fr")
    mine = client.get("/staff/requests").text
    assert "question waiting" in mine
    page = client.get(f"/staff/requests/{rid}").text
    assert "journalism has to do with the robbery" in page
    _post(
        client,
        f"/staff/requests/{rid}/edit/subject",
        SUBJECT | {"subject.profile_notes": "Worked as a crime reporter until 2015."},
        csrf,
    )
    _post(client, f"/staff/requests/{rid}/submit", {}, csrf)
    inbox = client.get("/staff/inbox").text
    assert "asks for more information" in inbox

    client.cookies.clear()
    gs = signed_in(client, ctx, "gs.br")
    # Issuing a high-risk request must cite its serious findings.
    r = client.post(
        f"/staff/review/{rid}/decide",
        data={"csrf": gs, "decision": "issue", "reasons": "Ordinary crime predominates."},
        follow_redirects=False,
    )
    assert r.status_code == 422
    loc = _post(
        client,
        f"/staff/review/{rid}/decide",
        {
            "decision": "issue",
            "cite": "art3_profile",
            "reasons": "Ordinary crime predominates; the profile is unrelated.",
        },
        gs,
    )
    assert "approval_recorded" in loc
    again = client.post(
        f"/staff/review/{rid}/decide",
        data={
            "csrf": gs,
            "decision": "issue",
            "cite": "art3_profile",
            "reasons": "Ordinary crime predominates; the profile is unrelated.",
        },
        follow_redirects=False,
    )
    assert again.status_code == 409 and "second, different reviewer" in again.text

    client.cookies.clear()
    gs2 = signed_in(client, ctx, "gs.ke")
    assert "First approval recorded" in client.get(f"/staff/review/{rid}").text
    _post(
        client,
        f"/staff/review/{rid}/decide",
        {
            "decision": "issue",
            "cite": "art3_profile",
            "reasons": "Agree: a murder in a robbery, the profile plays no part.",
        },
        gs2,
    )
    with ctx.read_session_factory() as s:
        assert s.get(Notice, rid.replace("-", "/")).status == "issued"  # type: ignore[union-attr]

    # A recused reviewer sees the request but cannot decide.
    client.cookies.clear()
    signed_in(client, ctx, "gs.fr")
    assert client.get(f"/staff/review/{rid}").status_code == 200


def test_screening_hit_reaches_the_ncb_inbox_and_deletion_removes_it(
    client: TestClient, checked: AppContext, people: dict[str, Who]
) -> None:
    ctx = checked
    csrf = signed_in(client, ctx, "ncb.fr")
    plain = SUBJECT | {"subject.occupation": ""}
    rid = file_request(client, csrf, plain)
    nid = rid.replace("-", "/")
    client.cookies.clear()
    gs = signed_in(client, ctx, "gs.br")
    _post(
        client,
        f"/staff/review/{rid}/decide",
        {"decision": "issue", "reasons": "Serious ordinary crime, data complete."},
        gs,
    )

    client.cookies.clear()
    sc = signed_in(client, ctx, "screen.de")
    r = client.post(
        "/staff/screen",
        data={
            "csrf": sc,
            "family_name": "MARKETTI",
            "given_names": "Lorenco",
            "date_of_birth": "1979-04-12",
            "where": "Frankfurt airport",
        },
    )
    assert r.status_code == 200 and nid in r.text and "Why this is a hit" in r.text
    # The search was posted: no name in any address.
    assert "Lorenco" not in str(r.url)
    csv = client.post(
        "/staff/screen/batch",
        data={"csrf": sc, "output": "csv"},
        files={
            "file": (
                "list.csv",
                b"surname,given_names,date_of_birth\nMarchetti,Lorenzo,1979\nNobody,Known,1990\n",
                "text/csv",
            )
        },
    )
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
    assert nid in csv.text and csv.text.count("\n") == 3

    client.cookies.clear()
    signed_in(client, ctx, "ncb.fr")
    inbox = client.get("/staff/inbox?kind=hit").text
    assert nid in inbox

    # The commission orders deletion: the notice is gone for screening and its file purged.
    public = Actor(user_id=None, username="public", role=None)
    filed = ccf_svc.file_request(
        ctx,
        public,
        ccf_svc.Filing(
            kind=ccf_svc.RequestKind.DELETION,
            applicant=ccf_svc.Applicant(
                family_name="Marchetti",
                given_names="Lorenzo Aldo",
                date_of_birth="1979-04-12",
                contact="mail@example.org",
            ),
            grounds="The charge is a fabrication by a business rival; see the attached ruling.",
        ),
    )
    client.cookies.clear()
    cc = signed_in(client, ctx, "ccf")
    ref = filed.reference
    assert ref in client.get("/staff/ccf").text
    _post(
        client,
        f"/staff/ccf/{ref}/admissibility",
        {"admissible": "yes", "reasons": "Filed by the person concerned, in time."},
        cc,
    )
    _post(client, f"/staff/ccf/{ref}/match", {}, cc)
    case = client.get(f"/staff/ccf/{ref}").text
    assert nid in case
    _post(client, f"/staff/ccf/{ref}/links", {"notice": nid, "confirm": "yes"}, cc)
    assert client.get(f"/staff/notices/{rid}").status_code == 200  # the full file
    _post(
        client,
        f"/staff/ccf/{ref}/decide",
        {"outcome": "granted", "reasons": "The data do not meet the rules: delete them."},
        cc,
    )
    with ctx.read_session_factory() as s:
        notice = s.get(Notice, nid)
        assert notice is not None and notice.status == "deleted" and notice.content is None

    client.cookies.clear()
    sc = signed_in(client, ctx, "screen.de")
    r = client.post(
        "/staff/screen",
        data={
            "csrf": sc,
            "family_name": "Marchetti",
            "given_names": "Lorenzo",
            "date_of_birth": "1979",
        },
    )
    assert nid not in r.text and "No hit" in r.text


def test_diffusion_inbox_register_and_prior_review(
    client: TestClient, checked: AppContext, people: dict[str, Who]
) -> None:
    ctx = checked
    csrf = signed_in(client, ctx, "ncb.fr")
    data = SUBJECT | {"subject.occupation": "", "recipients": "DE, ES"} | CHARGES
    r = client.post("/staff/diffusions/new", data=data | {"recipients": "", "csrf": csrf})
    assert r.status_code == 422 and 'id="e-recipients"' in r.text and "Marchetti" in r.text
    loc = _post(client, "/staff/diffusions/new", data, csrf)
    assert "done=sent" in loc
    assert "circulating" in client.get(loc).text

    # Refugee status recorded by the NCB protects against the feared country.
    reg = {
        "person.family_name": "Haddad",
        "person.given_names": "Samir",
        "person.date_of_birth": "1985",
        "granted_on": "2020-05-01",
        "feared_country": "XX",
    }
    r = client.post("/staff/register/new", data=reg | {"csrf": csrf})
    assert r.status_code == 422 and 'id="e-feared-country"' in r.text
    _post(client, "/staff/register/new", reg | {"feared_country": "SY"}, csrf)

    client.cookies.clear()
    gs = signed_in(client, ctx, "gs.br")
    assert "Haddad" in client.get("/staff/register?against=SY").text
    assert "Marchetti" in client.get("/staff/review?kind=diffusion").text

    client.cookies.clear()
    admin = signed_in(client, ctx, "admin")
    _post(
        client,
        "/staff/admin/members/FR/prior-review",
        {"prior_review": "on", "reason": "Diffusions recalled twice this year."},
        admin,
    )
    assert "Diffusions recalled twice" in client.get("/staff/admin/members?q=FR").text
    assert gs  # the reviewer's token is per session


def test_photo_upload_and_lists_with_filters(
    client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    csrf = signed_in(client, ctx, "ncb.fr")
    loc = _post(client, "/staff/requests/new", SUBJECT, csrf)
    base = loc.split("/edit/")[0]
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    r = client.post(
        base + "/photos",
        data={"csrf": csrf},
        files={"photo": ("face.png", png, "image/png")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(base + "/edit/photos").text
    src = re.search(r'src="(/staff/notices/[^"]+/photos/\d+)"', page)
    assert src and client.get(src.group(1)).content == png
    bad = client.post(
        base + "/photos",
        data={"csrf": csrf},
        files={"photo": ("x.png", b"not an image", "image/png")},
    )
    assert bad.status_code == 422 and "not a image/png image" in bad.text
    assert "Marchetti" in client.get("/staff/requests?status=draft").text
    assert "Marchetti" not in client.get("/staff/requests?status=issued").text
    assert client.get("/staff/requests?status=bogus").status_code == 422


def test_suspend_resume_renew_withdraw_and_open_by_id(
    client: TestClient, checked: AppContext, people: dict[str, Who]
) -> None:
    ctx = checked
    csrf = signed_in(client, ctx, "ncb.fr")
    rid = file_request(client, csrf, SUBJECT | {"subject.occupation": ""})
    client.cookies.clear()
    gs = signed_in(client, ctx, "gs.br")
    go = client.get("/staff/go", params={"id": rid.replace("-", "/")}, follow_redirects=False)
    assert go.headers["location"] == f"/staff/review/{rid}"
    _post(
        client,
        f"/staff/review/{rid}/decide",
        {"decision": "issue", "reasons": "Serious ordinary crime, data complete."},
        gs,
    )
    client.cookies.clear()
    csrf = signed_in(client, ctx, "ncb.fr")
    page = client.get(f"/staff/requests/{rid}").text
    assert 'value="suspend"' in page and 'value="renew"' in page
    _post(client, f"/staff/requests/{rid}/act", {"action": "suspend"}, csrf)
    page = client.get(f"/staff/requests/{rid}").text
    assert 'value="resume"' in page and "suspended" in page
    _post(client, f"/staff/requests/{rid}/act", {"action": "resume"}, csrf)
    r = client.post(f"/staff/requests/{rid}/act", data={"csrf": csrf, "action": "renew"})
    assert r.status_code == 422 and "needs reasons" in r.text
    _post(
        client,
        f"/staff/requests/{rid}/act",
        {"action": "renew", "reasons": "The subject is still at large; the warrant stands."},
        csrf,
    )
    r = client.post(f"/staff/requests/{rid}/act", data={"csrf": csrf, "action": "delete"})
    assert r.status_code == 422  # an NCB is not offered deletion
    _post(
        client, f"/staff/requests/{rid}/act", {"action": "withdraw", "reasons": "Arrested."}, csrf
    )
    assert "withdrawn" in client.get(f"/staff/requests/{rid}").text
    assert client.get("/staff/go", params={"id": "nonsense"}).status_code == 404


MRZ = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\n"
    "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
)  # ICAO Doc 9303 specimen: a fictional holder of a fictional state


def test_screening_by_pasted_mrz_lines(
    client: TestClient, ctx: AppContext, people: dict[str, Who]
) -> None:
    from opennotice.domain.content import RequestContent
    from opennotice.services import requests, reviews
    from tests.factories import red_notice

    subject = {"family_name": "Eriksson", "given_names": "Anna Maria",
               "date_of_birth": "1974-08-12", "sex": "F"}  # fmt: skip
    content = RequestContent.model_validate(red_notice(subject=subject))
    notice = requests.create_request(ctx, people["ncb_fr"].actor, content)
    requests.submit_request(ctx, people["ncb_fr"].actor, notice.id)
    reviews.decide(
        ctx, people["gs_br"].actor, notice.id, reviews.Decision.ISSUE,
        "Serious ordinary crime, data complete.",
    )  # fmt: skip
    sc = signed_in(client, ctx, "screen.de")
    r = client.post("/staff/screen", data={"csrf": sc, "mrz": MRZ})
    assert r.status_code == 200 and notice.id in r.text
    assert "Why this is a hit" in r.text
    bad = client.post("/staff/screen", data={"csrf": sc, "mrz": MRZ.replace("7408122", "7408123")})
    assert bad.status_code == 422 and 'id="e-mrz"' in bad.text
    assert "ERIKSSON" in bad.text  # what was typed is kept in the box
    empty = client.post("/staff/screen", data={"csrf": sc})
    assert empty.status_code == 422 and "family name" in empty.text
