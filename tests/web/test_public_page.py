"""The public page lists persons and status, and only what consent allows."""

from fastapi.testclient import TestClient

from testimonia.services import records
from testimonia.services.demo import load_demo
from testimonia.services.inputs import NameInput, PersonInput, TestimonyInput
from testimonia.web.app import create_app


def test_demo_page_lists_persons_and_status(registry, project, admin):
    ids = load_demo(registry, admin, project)
    hidden = records.add_person(registry, admin, project, PersonInput(names=[NameInput("Internal Only Person")]))
    records.add_testimony(registry, admin, project, TestimonyInput("Secret Testifier", consent="internal",
                                                                   contacts="+7 777 123 9999"), [hidden])
    client = TestClient(create_app(registry))
    page = client.get("/")
    assert page.status_code == 200
    assert "Arzegul Halambek" in page.text and "house arrest" in page.text and "in a camp" in page.text
    assert "(their spouse: <span dir=\"auto\">Sara Jengisnek</span>)" in page.text
    assert "Internal Only Person" not in page.text and "Secret Testifier" not in page.text
    api = client.get("/api/persons").json()
    by_id = {p["id"]: p for p in api}
    assert by_id[ids["arzegul"]]["status"]["status"] == "house_arrest"
    assert by_id[ids["husband"]]["status"]["status"] == "camp"
    assert "+7 777 123 9999" not in client.get("/api/persons").text
    assert client.get(f"/api/persons/{hidden}").status_code == 404


def test_markup_in_names_is_shown_as_text(registry, project, admin):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    pid = records.add_person(registry, admin, project, PersonInput(names=[NameInput(payload)]))
    records.add_testimony(registry, admin, project, TestimonyInput("Testifier", consent="named"), [pid])
    page = TestClient(create_app(registry)).get("/")
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
