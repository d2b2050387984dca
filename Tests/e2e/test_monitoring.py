"""Monitoring in a browser: on the demo's programme, the programme manager opens a new version of
the logframe, adds a specific objective with an outcome, links one indicator to a computed
definition and enters one by hand, approves the version (confirming with a reason), reads the
dashboard, makes the interim report, exports it (the XLSX opened with openpyxl) and submits it;
a donor viewer then reads it, on a 360-px phone too. The public results page links the open
data, which validates against the IATI 2.03 schemas and the 360Giving package schema, as served
and as `fuqizo export` writes it. axe-core on every page."""
import io
import json
import os
import subprocess
import tempfile
import urllib.request
from pathlib import Path

import jsonschema
import openpyxl
import referencing
import referencing.jsonschema

from conftest import check_accessibility, submit, visit
from test_contracts import confirm, fits_a_phone
from test_grants import demo_accounts, signed_in

STANDARDS = Path(__file__).resolve().parents[1] / "Standards"


def xml_valid(path, schema):
    result = subprocess.run(["xmllint", "--noout", "--nonet", "--schema", str(STANDARDS / "iati-2.03" / schema), str(path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def package_valid(document):
    grant = json.loads((STANDARDS / "360giving/360-giving-schema.json").read_text())
    package = json.loads((STANDARDS / "360giving/360-giving-package-schema.json").read_text())
    registry = referencing.Registry().with_resource(grant["$id"], referencing.jsonschema.DRAFT202012.create_resource(grant))
    jsonschema.Draft202012Validator(package, registry=registry, format_checker=jsonschema.FormatChecker()).validate(document)


def test_logframe_dashboard_report_and_open_data(server, chromium):
    accounts = demo_accounts(server)
    manager = signed_in(chromium, server, accounts["programmeManager"])

    # The dashboard of the version in force.
    visit(manager, server.url + "/monitoring")
    assert manager.locator("main svg.chart.bars").count() == 1
    assert manager.locator("main table.dashboard tbody tr").count() == 14
    fits_a_phone(manager, server.url + "/monitoring?indicator=R2.1")

    # A new version, copied from the one in force.
    visit(manager, server.url + "/monitoring/logframe")
    manager.locator("main form[action='/monitoring/logframe'] button").click()
    manager.wait_for_load_state()
    check_accessibility(manager)
    assert "Draft" in manager.locator("main").inner_text() or "Draft" in manager.content()
    draft = manager.url

    # A specific objective under the overall one, and an outcome under it.
    manager.locator("main a", has_text="Shto nën këtë").first.click()
    manager.wait_for_load_state()
    check_accessibility(manager)
    manager.select_option("#f-level", "specificObjective")
    manager.fill("#f-code", "SO3")
    manager.fill("#f-titleSq", "Punëdhënësit hapin vende pune për të mbijetuarat.")
    manager.fill("#f-titleEn", "Employers open jobs to survivors.")
    submit(manager)
    assert manager.locator(".notice").count() == 1, manager.content()
    section = manager.locator("section.logframe-entry", has_text="SO3")
    section.locator("a", has_text="Shto nën këtë").click()
    manager.wait_for_load_state()
    manager.fill("#f-code", "R3")
    manager.fill("#f-titleSq", "Vende pune të ofruara nga partnerët.")
    manager.fill("#f-titleEn", "Jobs offered by partners.")
    submit(manager)

    # An indicator from the data, and one entered by hand; a bad target first comes back as typed.
    section = manager.locator("section.logframe-entry", has_text="R3")
    section.locator("a", has_text="Shto tregues").click()
    manager.wait_for_load_state()
    check_accessibility(manager)
    manager.fill("#f-code", "R3.1")
    manager.fill("#f-nameSq", "Aktivitete trajnimi")
    manager.fill("#f-nameEn", "Training events")
    manager.fill("#f-definitionSq", "Aktivitete me prezencë të mbajtur.")
    manager.fill("#f-definitionEn", "Events whose attendance was taken.")
    manager.select_option("#f-source", "eventsHeld")
    manager.fill("#f-finalTarget", "shumë")
    manager.fill("#f-target-P2", "30")
    manager.fill("#f-verificationSq", "Listat e prezencës")
    manager.fill("#f-verificationEn", "Attendance sheets")
    submit(manager)
    assert manager.locator("#finalTarget-error").count() == 1
    assert manager.input_value("#f-finalTarget") == "shumë" and manager.input_value("#f-target-P2") == "30"
    manager.fill("#f-finalTarget", "40")
    submit(manager)
    assert manager.locator(".notice").count() == 1, manager.content()
    section = manager.locator("section.logframe-entry", has_text="R3")
    section.locator("a", has_text="Shto tregues").click()
    manager.wait_for_load_state()
    manager.fill("#f-code", "R3.2")
    manager.fill("#f-nameSq", "Punëdhënës partnerë")
    manager.fill("#f-nameEn", "Partner employers")
    manager.fill("#f-definitionSq", "Punëdhënës me marrëveshje.")
    manager.fill("#f-definitionEn", "Employers with an agreement.")
    manager.select_option("#f-source", "manual")
    manager.select_option("#f-unit", "count")
    manager.fill("#f-finalTarget", "25")
    manager.fill("#f-verificationSq", "Marrëveshjet")
    manager.fill("#f-verificationEn", "Agreements")
    submit(manager)
    assert manager.locator(".notice").count() == 1, manager.content()

    # Approval asks for a reason, then the new version is in force.
    confirm(manager, "main form[action$='/approve'] button", "Rider 1 agreed with the EU Delegation")
    assert manager.locator(".notice").count() == 1
    assert manager.url == draft

    # A value for the manual indicator waits for a second person.
    visit(manager, server.url + "/monitoring/values")
    manager.select_option("#f-indicator", "R3.2")
    manager.select_option("#f-period", "P2")
    manager.fill("#f-value", "12")
    manager.fill("#f-evidence", "Marrëveshjet e nënshkruara, dosja M&E/2026/07")
    submit(manager)
    assert "Pret shqyrtim" in manager.locator("main table").inner_text()
    assert manager.locator("main form[action$='/approve']").count() == 0, "no one approves their own value"

    # The dashboard shows the new indicators.
    visit(manager, server.url + "/monitoring?period=P2")
    assert manager.locator("main table.dashboard a", has_text="R3.1").count() == 1

    # The report for P2, with a comment, exported, then submitted.
    visit(manager, server.url + "/monitoring/reports")
    manager.select_option("#f-period", "P2")
    submit(manager)
    assert manager.locator(".notice").count() == 1, manager.content()
    report = manager.url
    manager.fill("#f-comment-R3\\.1", "Trajnimet vazhdojnë në Kukës.")
    manager.locator("main form[action$='/comments'] button").click()
    manager.wait_for_load_state()
    check_accessibility(manager)
    assert "Trajnimet vazhdojnë në Kukës." in manager.locator("main").inner_text()
    response = manager.request.get(report + "/export/xlsx")
    assert response.status == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.body()))
    assert len(workbook.sheetnames) == 5
    rows = [row for row in workbook.worksheets[0].iter_rows(values_only=True)]
    assert any(row[0] == "R3.1" for row in rows)
    confirm(manager, "main form[action$='/submit'] button", "Sent to the EU Delegation")
    assert "Dorëzuar" in manager.locator("main").inner_text()

    # A donor viewer reads it, on a phone too; drafts are not theirs.
    donor = signed_in(chromium, server, accounts["donorViewer"])
    visit(donor, server.url + "/monitoring/reports")
    assert donor.locator("main ul.teasers li").count() == 2
    visit(donor, report)
    assert "Trajnimet vazhdojnë në Kukës." in donor.locator("main").inner_text()
    fits_a_phone(donor, report)
    visit(donor, server.url + "/monitoring")
    fits_a_phone(donor, server.url + "/monitoring")

    # The public: the results page links the open data, which validates as served.
    visitor = chromium.new_context(viewport={"width": 360, "height": 800}).new_page()
    visit(visitor, server.url + "/en/results")
    links = [a.get_attribute("href") for a in visitor.locator("main a[href^='/open-data/']").all()]
    assert links == ["/open-data/iati-activities.xml", "/open-data/iati-organisations.xml", "/open-data/360giving.json"]
    folder = Path(tempfile.mkdtemp(prefix="fuqizo-open-"))
    for link, schema in (("/open-data/iati-activities.xml", "iati-activities-schema.xsd"), ("/open-data/iati-organisations.xml", "iati-organisations-schema.xsd")):
        path = folder / os.path.basename(link)
        path.write_bytes(urllib.request.urlopen(server.url + link).read())
        xml_valid(path, schema)
    served = json.loads(urllib.request.urlopen(server.url + "/open-data/360giving.json").read())
    package_valid(served)
    activity = (folder / "iati-activities.xml").read_text()
    assert "Training events" in activity, "the new version's results are published"

    # The same files written by the command line.
    result = server.cli("export", "iati", str(folder / "cli"))
    assert result.returncode == 0, result.stderr
    xml_valid(folder / "cli" / "iati-activities.xml", "iati-activities-schema.xsd")
    xml_valid(folder / "cli" / "iati-organisations.xml", "iati-organisations-schema.xsd")
    result = server.cli("export", "360giving", str(folder / "grants.json"))
    assert result.returncode == 0, result.stderr
    package_valid(json.loads((folder / "grants.json").read_text()))
