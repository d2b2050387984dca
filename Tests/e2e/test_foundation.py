import gzip
import re
import sqlite3
import urllib.request

from conftest import PASSWORD, check_accessibility, create_administrator, enrol_two_factor, sign_in, submit, visit


def fill_organisation(page, server, name, legal_form, nuis, municipality, focus):
    """Fills the new-CSO form as a person would and submits it."""
    visit(page, server.url + "/organisations/new")
    page.fill("#f-nameSq", name)
    page.select_option("#f-legalForm", legal_form)
    page.fill("#f-registrationNumber", nuis)
    page.select_option("#f-municipalityID", label=municipality)
    page.check(f"input[name='focusAreas[]'][value='{focus}']")
    page.select_option("#f-status", "active")
    submit(page)


def test_first_run_to_cso_user(server, mailbox, page, chromium):
    # First-run setup creates the administrator, who must enrol a second factor.
    create_administrator(page, server)
    sign_in(page, server, "admin@fuqizo.test")
    assert page.url.endswith("/sign-in/enrol")
    enrol_two_factor(page)
    page.click("main a.button:not([download])")
    page.wait_for_load_state()
    check_accessibility(page)
    assert page.locator("nav a[href='/admin/users']").count() == 1

    # Create a CSO; a wrong NUIS comes back with the typed values and a message.
    fill_organisation(page, server, "Shoqata Drita e Kukësit", "association", "1234", "Kukës (Kukës)", "antiTrafficking")
    assert page.locator("#f-nameSq").input_value() == "Shoqata Drita e Kukësit"
    assert page.locator("#registrationNumber-error").is_visible()
    page.fill("#f-registrationNumber", "L91806031N")
    submit(page)
    assert page.locator("h1").inner_text() == "Shoqata Drita e Kukësit"
    organisation_path = page.url.replace(server.url, "")

    # Another CSO the new user must never see.
    fill_organisation(page, server, "Qendra Tjetër", "centre", "K12345678L", "Sarandë (Vlorë)", "shelter")
    other_path = page.url.replace(server.url, "")
    visit(page, server.url + "/organisations?q=kukesit")
    assert page.locator("tbody tr").count() == 1

    # Invite a CSO user of the first CSO; the link arrives through msmtp in the SMTP sink.
    visit(page, server.url + "/admin/users/new")
    page.fill("#f-email", "cso.user@fuqizo.test")
    page.fill("#f-displayName", "Anëtarja")
    page.select_option("#f-language", "sq")
    # The organisation is found by a search the server answers, not picked from every one.
    page.fill("input[name=find-organisationID]", "Drita e Kukësit")
    page.locator("main button[value=find]").click()
    page.wait_for_load_state()
    check_accessibility(page)
    page.select_option("#f-organisationID", index=1)
    assert "Shoqata Drita e Kukësit" in page.locator("#f-organisationID option:checked").inner_text()
    page.select_option("#f-organisationRole", "csoUser")
    submit(page)
    mail = mailbox.wait_for("cso.user@fuqizo.test")
    assert "Anëtarja" not in mail
    link = re.search(r"(http://\S+/invite/\S+)", mail).group(1)

    cso = chromium.new_context().new_page()
    visit(cso, link)
    cso.fill("#f-password", "kukes riverside morning walk")
    cso.fill("#f-passwordConfirmation", "kukes riverside morning walk")
    submit(cso)
    sign_in(cso, server, "cso.user@fuqizo.test", "kukes riverside morning walk")
    visit(cso, server.url + "/my-organisations")
    assert cso.url.endswith(organisation_path)
    assert cso.locator("h1").inner_text() == "Shoqata Drita e Kukësit"
    response = cso.goto(server.url + other_path)
    assert response.status == 403
    assert "Qendra Tjetër" not in cso.content()
    assert cso.goto(server.url + "/organisations").status == 403

    # Sign-out ends the session; the pages are closed again.
    cso.locator("form[action='/sign-out'] button").click()
    cso.wait_for_load_state()
    check_accessibility(cso)
    cso.goto(server.url + organisation_path)
    assert "/sign-in" in cso.url

    # The audit trail saw it all and verifies, on the command line as on the page.
    visit(page, server.url + "/admin/audit?verify=1")
    assert page.locator("#audit-result").get_attribute("role") == "status"
    result = server.cli("audit", "verify")
    assert result.returncode == 0, result.stdout + result.stderr


def test_lockout_after_wrong_passwords(server, page):
    create_administrator(page, server, "locked@fuqizo.test")
    for _ in range(5):
        sign_in(page, server, "locked@fuqizo.test", "not the password at all")
        assert page.locator(".error-summary").is_visible()
    refusal = page.locator(".error-summary").inner_text()
    sign_in(page, server, "locked@fuqizo.test", PASSWORD)
    assert "/sign-in" in page.url and page.locator(".error-summary").inner_text() == refusal
    sign_in(page, server, "nobody@fuqizo.test", PASSWORD)
    assert page.locator(".error-summary").inner_text() == refusal, "no hint whether an account exists"


def test_language_switch_is_remembered(server, page):
    # Signed out, the address of the platform opens the public website, in Albanian first.
    visit(page, server.url + "/")
    assert page.url == server.url + "/sq", page.url
    visit(page, server.url + "/sign-in")
    assert page.locator("html").get_attribute("lang") == "sq"
    assert "Financuar nga Bashkimi Evropian" in page.locator("footer").inner_text()
    page.click("header form[action='/language'] button")
    page.wait_for_load_state()
    check_accessibility(page)
    assert page.locator("html").get_attribute("lang") == "en"
    visit(page, server.url + "/sign-in")
    assert page.locator("h1").inner_text() == "Sign in"
    assert "Funded by the European Union" in page.locator("footer").inner_text()
    visit(page, server.url + "/")
    assert page.url == server.url + "/en", "the public website opens in the language chosen"
    visit(page, server.url + "/about/disclaimer")
    assert "sole responsibility" in page.locator("main").inner_text()


def test_small_phone_and_keyboard(server, chromium):
    context = chromium.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    visit(page, server.url + "/sign-in")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a 360-px phone ({width}px)"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    context.close()


def test_tampered_audit_row_is_named(server, page):
    create_administrator(page, server)
    anchor = server.cli("audit", "anchor")
    assert anchor.returncode == 0 and anchor.stdout.startswith("fuqizo-audit-anchor-v1 ")
    sign_in(page, server, "admin@fuqizo.test", "wrong password here")
    held = server.cli("audit", "verify", "--anchor", anchor.stdout.strip())
    assert held.returncode == 0 and "holds the anchor" in held.stdout
    forged = anchor.stdout.strip()[:-1] + ("0" if anchor.stdout.strip()[-1] != "0" else "1")
    assert server.cli("audit", "verify", "--anchor", forged).returncode == 1, "an altered anchor is refused"
    database = f"{server.data_dir}/fuqizo.sqlite"
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE audit_entries SET details = 'account=someone' WHERE sequence = 2")
    result = server.cli("audit", "verify")
    assert result.returncode == 1
    assert "entry 2" in (result.stdout + result.stderr)


def test_responses_are_compressed(server):
    request = urllib.request.Request(server.url + "/sign-in", headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        assert response.headers.get("Content-Encoding") == "gzip"
        html = gzip.decompress(response.read()).decode()
    assert "<html lang=\"sq\">" in html
